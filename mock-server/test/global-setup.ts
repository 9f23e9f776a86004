import { sql } from 'kysely';
import { openPostgres } from '../src/store/postgres';
import { getSnapshot } from '../src/store/snapshot';
import { testSchemaPrefix } from './harness';

/** Runs once per `vitest run`, in the main process, before any worker starts. */
export async function setup(): Promise<void> {
  // Build (or find) the PGlite snapshot here, once: otherwise on a machine without the cache,
  // every worker would run the slow initdb at the same time.
  await getSnapshot();
  // One clear failure up front instead of the same error from every test file.
  if (process.env.DATABASE_URL) {
    const db = await openPostgres({ databaseUrl: process.env.DATABASE_URL });
    await db.destroy();
  }
}

/** Drops the schemas this run's PostgreSQL workers created (each worker can't: it is killed). */
export async function teardown(): Promise<void> {
  if (!process.env.DATABASE_URL) return;
  const db = await openPostgres({ databaseUrl: process.env.DATABASE_URL });
  try {
    const { rows } = await sql<{ nspname: string }>`
      select nspname from pg_namespace where starts_with(nspname, ${testSchemaPrefix()})`.execute(db);
    for (const { nspname } of rows) await db.schema.dropSchema(nspname).ifExists().cascade().execute();
  } finally {
    await db.destroy();
  }
}
