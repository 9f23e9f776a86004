import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { pgliteParsers } from './parsers';
import { PGliteDialect } from './pglite-dialect';
import type { Database } from './schema';

export interface PGliteOptions {
  /** A directory to persist to; unset keeps everything in memory. */
  dataDir?: string;
  /** A tarball from `dumpDataDir()` to start from instead of running initdb (a fresh dataDir only). */
  loadDataDir?: Blob;
}

/**
 * PostgreSQL's default 128 MB buffer cache takes PGlite ~0.5 s to set up at every start, a third of
 * a start from the snapshot. In memory it only duplicates pages that are in memory already; on
 * disk the OS page cache sits behind it. 16 MB is plenty for one embedded server.
 */
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

/** Starts an embedded PostgreSQL with the store's value parsing. */
export function createPGlite(options: PGliteOptions = {}): Promise<PGlite> {
  return PGlite.create({
    ...(options.dataDir !== undefined && { dataDir: options.dataDir }),
    ...(options.loadDataDir !== undefined && { loadDataDir: options.loadDataDir }),
    startParams: START_PARAMS,
    parsers: pgliteParsers,
  });
}

/** A Kysely over that PGlite; `db.destroy()` closes the PGlite. */
export function pgliteKysely(pglite: PGlite): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
}
