import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Hooks render in a DOM (jsdom, see the file); `ssr.test.tsx` and `import-safety.test.ts` opt back into plain Node.
    environment: './test/jsdom-environment.ts',
    // The reference server (PGlite) boots once per run in global-setup.ts; a first boot is slow.
    hookTimeout: 60_000,
    testTimeout: 20_000,
    globalSetup: ['test/global-setup.ts'],
  },
});
