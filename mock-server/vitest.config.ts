import { randomBytes } from 'node:crypto';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Every server test runs twice when DATABASE_URL is set: on embedded PGlite and on PostgreSQL,
 * the two backends the server ships with. Without DATABASE_URL only PGlite runs, and says so;
 * CI sets CHAT_REQUIRE_SERVICES=1 so that a missing database fails the build instead.
 */
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  if (process.env.CHAT_REQUIRE_SERVICES === '1') {
    throw new Error('CHAT_REQUIRE_SERVICES=1 but DATABASE_URL is not set: the PostgreSQL suite cannot run');
  }
  console.warn('PostgreSQL suite skipped: DATABASE_URL is not set');
}

// Names this run's PostgreSQL test schemas (test/harness.ts), so teardown drops only its own.
// Workers inherit it from this process's environment.
process.env.CHAT_TEST_RUN ??= randomBytes(4).toString('hex');

const include = ['src/**/*.test.ts', 'test/**/*.test.ts'];
// Runs once, on services of its own, with its own config (vitest.fault.config.ts).
const exclude = [...configDefaults.exclude, 'test/fault/**'];

export default defineConfig({
  test: {
    // PGlite starts in about a second from the snapshot, but a first-ever run builds the snapshot
    // (initdb, several seconds) and a loaded machine is slower still.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // One process per worker: each PGlite's WebAssembly heap (hundreds of MB) goes with its process.
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    projects: [
      { extends: true, test: { name: 'pglite', include, exclude, env: { CHAT_TEST_DB: 'pglite' } } },
      ...(databaseUrl
        ? [{ extends: true, test: { name: 'postgres', include, exclude, env: { CHAT_TEST_DB: 'postgres' } } }]
        : []),
    ],
  },
});
