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

/** Starts an embedded PostgreSQL with the store's value parsing. */
export function createPGlite(options: PGliteOptions = {}): Promise<PGlite> {
  return PGlite.create({
    ...(options.dataDir !== undefined && { dataDir: options.dataDir }),
    ...(options.loadDataDir !== undefined && { loadDataDir: options.loadDataDir }),
    parsers: pgliteParsers,
  });
}

/** A Kysely over that PGlite; `db.destroy()` closes the PGlite. */
export function pgliteKysely(pglite: PGlite): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
}
