import { defineConfig } from 'vitest/config';

/**
 * The fault suite (test/fault): it starts its own Redis and PostgreSQL and kills them under
 * traffic, so it runs once, on its own, one file at a time (each file's services and server
 * processes would otherwise compete for the CPU and stretch the outages it times).
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
