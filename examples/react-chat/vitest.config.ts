import { defineConfig } from 'vitest/config';

/** Browser end-to-end tests: Chromium against the built app served by the reference server. */
export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One file at a time: each starts a server and a browser on a 2-core machine.
    fileParallelism: false,
  },
});
