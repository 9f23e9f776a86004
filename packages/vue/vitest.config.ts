import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Composables run in a DOM; `ssr.test.ts` opts back into plain Node to prove import safety.
    environment: 'jsdom',
    // The reference server (PGlite) boots once per run in global-setup.ts; a first boot is slow.
    hookTimeout: 60_000,
    testTimeout: 20_000,
    globalSetup: ['test/global-setup.ts'],
  },
});
