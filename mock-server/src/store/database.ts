import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { type Kysely, sql } from 'kysely';
import { type DataDirLock, lockDataDir } from './data-dir-lock';
import { migrate } from './migrate';
import { createPGlite, pgliteKysely } from './pglite';
import { assertSchemaName, openPostgres } from './postgres';
import type { Database } from './schema';
import { getSnapshot, readCachedSnapshot } from './snapshot';

/** The database behind the server: embedded PGlite by default, PostgreSQL when given a URL. */
export interface Store {
  db: Kysely<Database>;
  kind: 'pglite' | 'postgres';
  /**
   * The embedded database itself (kind `pglite`), for a library that must speak to it directly
   * (the job queue); anything it runs must hold `db`'s one connection (jobs/job-queue.ts).
   */
  pglite?: PGlite;
  /** The PostgreSQL connection string (kind `postgres`), for a library with a pool of its own. */
  databaseUrl?: string;
  /** The schema it lives in, when not the default one (tests use one per worker). */
  schema?: string;
  /** Held while a PGlite data directory on disk is open (in memory or on PostgreSQL: none). */
  dataDirLock?: DataDirLock;
  /** Closes the pool or the PGlite (flushing it to disk). Safe to call twice. */
  close(): Promise<void>;
}

export interface StoreOptions {
  /** PostgreSQL connection string; unset means embedded PGlite. */
  databaseUrl?: string;
  /** PGlite data directory (default `.chat-data`), or `memory` for a throwaway in-memory one. */
  dataDir?: string;
  /** Use this schema (created if missing) instead of `public`, e.g. one per test worker. */
  schema?: string;
  /** PostgreSQL connections per node (default 20). */
  poolSize?: number;
}

/**
 * Opens the store and brings its schema up to date (cheap when it already is). A PGlite data
 * directory on disk is locked first: while it is open, another opener gets `DataDirInUseError`.
 */
export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const kind = options.databaseUrl ? 'postgres' : 'pglite';
  const dataDir = options.dataDir ?? '.chat-data';
  const dataDirLock = kind === 'pglite' && dataDir !== 'memory' ? await lockDataDir(dataDir) : undefined;
  let pglite: PGlite | undefined;
  const db = await (options.databaseUrl
    ? openPostgres({
        databaseUrl: options.databaseUrl,
        ...(options.schema !== undefined && { schema: options.schema }),
        ...(options.poolSize !== undefined && { poolSize: options.poolSize }),
      })
    : openPGlite(dataDir, options.schema).then((opened) => {
        pglite = opened.pglite;
        return opened.db;
      })
  ).catch(async (error: unknown) => {
    await dataDirLock?.release();
    throw error;
  });
  try {
    await migrate(db);
  } catch (error) {
    await db.destroy();
    await dataDirLock?.release();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    db,
    kind,
    ...(pglite && { pglite }),
    ...(options.databaseUrl && { databaseUrl: options.databaseUrl }),
    ...(options.schema !== undefined && { schema: options.schema }),
    ...(dataDirLock && { dataDirLock }),
    close() {
      // Released only once PGlite has closed its files.
      closing ??= db.destroy().finally(() => dataDirLock?.release());
      return closing;
    },
  };
}

/**
 * A second, small pool on the same database for background work (the event feed, webhook
 * deliveries), so it never queues behind the requests for the store's pool: under a load the
 * send path cannot keep up with, its waiters are hundreds deep, and a delivery that waits there
 * waits seconds. PGlite is one connection inside this process, so there it is the store itself.
 * Close it before the store.
 */
export async function openSidePool(
  store: Store,
  poolSize: number,
): Promise<{ db: Kysely<Database>; close(): Promise<void> }> {
  if (store.kind === 'pglite' || !store.databaseUrl) return { db: store.db, close: async () => {} };
  const db = await openPostgres({
    databaseUrl: store.databaseUrl,
    poolSize,
    ...(store.schema !== undefined && { schema: store.schema }),
  });
  return { db, close: () => db.destroy() };
}

async function openPGlite(
  dataDir: string,
  schema: string | undefined,
): Promise<{ pglite: PGlite; db: Kysely<Database> }> {
  if (schema !== undefined) assertSchemaName(schema);
  const pglite =
    dataDir === 'memory'
      ? // Initialized and migrated already: about a second instead of initdb's several.
        await createPGlite({ loadDataDir: await getSnapshot() })
      : await openPersistedPGlite(resolve(dataDir));
  const db = pgliteKysely(pglite);
  if (schema !== undefined) {
    // PGlite is a single session, so a SET here holds for every later query.
    await sql.raw(`create schema if not exists ${schema}; set search_path to ${schema}`).execute(db);
  }
  return { pglite, db };
}

/**
 * An existing data directory is reopened as it is. A new one starts from the cached snapshot when
 * there is one (faster than initdb); otherwise PGlite runs initdb into it, and no cache is written,
 * since a server with a disk database may well run where the temp directory is not writable.
 */
async function openPersistedPGlite(dataDir: string) {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return createPGlite({ dataDir });
  mkdirSync(dataDir, { recursive: true });
  const snapshot = await readCachedSnapshot();
  return createPGlite({ dataDir, ...(snapshot && { loadDataDir: snapshot }) });
}
