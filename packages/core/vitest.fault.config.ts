import { defineConfig } from 'vitest/config';

/**
 * The fault suite (test/fault): the SDK against two server nodes (child processes of the built
 * `@chat/server` CLI) sharing a Redis and a PostgreSQL the suite starts, kills and restarts. It
 * runs once, on its own, one file at a time, so nothing else competes for the CPU and stretches
 * the outages and delays it times.
 */
export default defineConfig({
  test: {
    name: 'fault',
    include: ['test/fault/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
