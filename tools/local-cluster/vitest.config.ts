import { defineConfig } from 'vitest/config';

/**
 * The cluster suite starts a whole cluster (PostgreSQL, Redis, s3rver, four server processes,
 * HAProxy) and kills a node under traffic: one file at a time, in a process of its own.
 */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
