import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadMigrations, migrate } from './migrate';
import { createPGlite, pgliteKysely } from './pglite';

/**
 * A tarball of a PGlite data directory that is initialized and fully migrated. A cold PGlite start
 * runs initdb (4–9 s); starting from this tarball takes about a second, which is what makes an
 * in-memory store per test worker affordable. Built once per machine and cached in the OS temp
 * directory under a key that changes whenever the migrations or the PGlite version do, so a stale
 * schema is never served.
 */

/** Bump when the way snapshots are built changes, to leave old caches behind. */
const FORMAT = 1;

function pgliteVersion(): string {
  // The package does not export its package.json; find it beside the resolved entry (dist/…).
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Where the snapshot for the current migrations and PGlite version is cached. */
export function snapshotPath(): string {
  const hash = createHash('sha256').update(`format ${FORMAT}\npglite ${pgliteVersion()}\n`);
  for (const migration of loadMigrations()) hash.update(`${migration.name}\n${migration.sql}\n`);
  return join(tmpdir(), `chat-server-pglite-${hash.digest('hex').slice(0, 16)}.tar.gz`);
}

/** The cached snapshot, if one was built already. */
export async function readCachedSnapshot(): Promise<Blob | undefined> {
  try {
    // Typed, so that PGlite gunzips it straight away rather than after failing to untar it.
    return new Blob([await readFile(snapshotPath())], { type: 'application/x-gzip' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Builds a snapshot from scratch: initdb, migrations, dump. The slow path, once per machine. */
export async function buildSnapshot(): Promise<Blob> {
  const pglite = await createPGlite();
  const db = pgliteKysely(pglite);
  try {
    await migrate(db);
    return await pglite.dumpDataDir('gzip');
  } finally {
    await db.destroy();
  }
}

/**
 * Writes through a temporary file and a rename, so that parallel test workers building at the same
 * time never read a half-written cache: each sees either no file or a complete one.
 */
async function writeCache(path: string, snapshot: Blob): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, new Uint8Array(await snapshot.arrayBuffer()));
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    // The cache only saves time; a read-only or full temp dir must not stop the server.
    process.emitWarning(`Could not cache the PGlite snapshot at ${path}: ${(error as Error).message}`);
  }
}

let snapshot: Promise<Blob> | undefined;

async function cachedOrBuilt(): Promise<Blob> {
  const cached = await readCachedSnapshot();
  if (cached) return cached;
  const built = await buildSnapshot();
  await writeCache(snapshotPath(), built);
  return built;
}

/** The snapshot: from memory, else from the cache, else built (and cached). Once per process. */
export function getSnapshot(): Promise<Blob> {
  if (!snapshot) {
    snapshot = cachedOrBuilt();
    // A failed build is not remembered, so the next store retries it.
    snapshot.catch(() => {
      snapshot = undefined;
    });
  }
  return snapshot;
}
