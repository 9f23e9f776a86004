import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Building the page and starting Chromium take a few seconds on a busy machine.
    hookTimeout: 60_000,
    testTimeout: 30_000,
  },
});
