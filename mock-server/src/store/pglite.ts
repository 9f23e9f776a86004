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
  preserveByteOrderMarks();
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

/**
 * PGlite (0.5.x) decodes each text value of a result with a `TextDecoder('utf-8')` of default
 * options, which drops a leading U+FEFF: a message whose text starts with one came back without
 * it, although PostgreSQL stored it. Its decoder is private, so the one place to fix it is the
 * constructor it calls: from the first PGlite on, a `TextDecoder` made without options keeps a
 * leading U+FEFF (`ignoreBOM`), which is what a byte-for-byte round trip needs; one made with
 * options is left as asked. Remove when PGlite passes `ignoreBOM` itself.
 */
function preserveByteOrderMarks(): void {
  const current = globalThis.TextDecoder;
  if ((current as { keepsByteOrderMarks?: boolean }).keepsByteOrderMarks) return;
  class ByteOrderMarkKeepingDecoder extends current {
    static readonly keepsByteOrderMarks = true;
    constructor(label?: string, options?: ConstructorParameters<typeof TextDecoder>[1]) {
      super(label, options ?? { ignoreBOM: true });
    }
  }
  globalThis.TextDecoder = ByteOrderMarkKeepingDecoder;
}
