import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The end-to-end test starts the reference server (embedded PGlite) in this process.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
