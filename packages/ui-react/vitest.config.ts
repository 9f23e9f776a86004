import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Components render in jsdom with Node's WebSocket (see the file); `ssr.test.tsx` runs in plain Node.
    environment: './test/jsdom-environment.ts',
    setupFiles: ['test/setup.ts'],
    // The reference server (PGlite) boots once per run in global-setup.ts; a first boot is slow.
    globalSetup: ['test/global-setup.ts'],
    hookTimeout: 60_000,
    testTimeout: 20_000,
  },
});
