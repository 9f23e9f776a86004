import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The browser smoke test drives Chromium from Node; the app under test is the built dist/browser.
    environment: 'node',
    include: ['e2e/**/*.e2e.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
