import { randomBytes } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import { openStore, type Store } from '../src/store/database';
import type { ApplicationsTable, AppRow, Database } from '../src/store/schema';

/**
 * Test helpers shared by every server test. The database is booted once per test process and
 * shared by the tests in it; they stay apart by each using fresh applications (every row is
 * scoped by app_id), not by resetting tables.
 */

/** The backend of this run: vitest.config.ts sets it per project. */
/** The server key test servers seal push credentials with (PostgreSQL needs one given). */
export const TEST_SECRET_KEY = 'test-secret-key-of-at-least-32-characters';

export const testDatabase: 'pglite' | 'postgres' =
  process.env.CHAT_TEST_DB === 'postgres' ? 'postgres' : 'pglite';

/**
 * Every PostgreSQL schema created by one `vitest run` starts with this; the global teardown
 * drops them by it. CHAT_TEST_RUN comes from vitest.config.ts.
 */
export function testSchemaPrefix(): string {
  return `test_${process.env.CHAT_TEST_RUN ?? 'adhoc'}_`;
}

/** A schema name no other worker or run uses. */
export function newTestSchema(): string {
  return `${testSchemaPrefix()}${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** The DATABASE_URL of the PostgreSQL suite; asking for it without one is a setup error. */
export function testDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('The PostgreSQL test suite needs DATABASE_URL');
  return url;
}

let store: Promise<Store> | undefined;

/**
 * This worker's store: in PostgreSQL, a fresh schema of DATABASE_URL; otherwise an in-memory
 * PGlite started from the migrated snapshot. An unreachable DATABASE_URL fails the tests, with
 * the reason; it never turns into skipped tests.
 */
export function getTestStore(): Promise<Store> {
  store ??=
    testDatabase === 'postgres'
      ? openStore({ databaseUrl: testDatabaseUrl(), schema: newTestSchema(), poolSize: 4 }).catch((error) => {
          throw new Error(
            `PostgreSQL test suite: ${(error as Error).message}. Fix DATABASE_URL, or unset it to run on PGlite only.`,
            { cause: error },
          );
        })
      : openStore({ dataDir: 'memory' });
  return store;
}

/** A new application with random credentials: the unit of isolation between tests. */
export async function createTestApp(
  db: Kysely<Database>,
  overrides: Partial<Insertable<ApplicationsTable>> = {},
): Promise<AppRow> {
  return db
    .insertInto('applications')
    .values({
      name: `test app ${randomBytes(4).toString('hex')}`,
      // Hex: a key never starts with '-', which a command line (`token --api-key …`) takes for an option.
      api_key: randomBytes(12).toString('hex'),
      api_secret: randomBytes(32).toString('base64url'),
      ...overrides,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
