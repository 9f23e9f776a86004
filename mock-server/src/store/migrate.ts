import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema';

/**
 * Schema migrations: plain SQL files named `NNN_name.sql`, applied in order, each in its own
 * transaction, recorded in `schema_migrations`. They must run on both PGlite and PostgreSQL, and
 * cannot use what refuses a transaction (CREATE INDEX CONCURRENTLY).
 */
export interface Migration {
  version: number;
  /** File name without `.sql`, e.g. `001_schema_v2`. */
  name: string;
  sql: string;
}

const FILE_NAME = /^(\d+)_([A-Za-z0-9_-]+)\.sql$/;

/**
 * Where the SQL files are. Under vitest this module is `src/store/migrate.ts` and they sit in
 * `migrations/` beside it; in the build, tsup bundles everything into `dist/` and copies the files
 * there too (tsup.config.ts `publicDir`), so they sit beside the bundle itself.
 */
export function migrationsDir(moduleUrl: string = import.meta.url): string {
  const here = dirname(fileURLToPath(moduleUrl));
  const candidates = [join(here, 'migrations'), here];
  const found = candidates.find((dir) => existsSync(dir) && readdirSync(dir).some((f) => FILE_NAME.test(f)));
  if (!found) throw new Error(`No migration files (NNN_name.sql) in ${candidates.join(' or ')}`);
  return found;
}

/** The migrations in `dir`, in version order. */
export function loadMigrations(dir: string = migrationsDir()): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.sql')) continue;
    const match = FILE_NAME.exec(file);
    // A misnamed file would otherwise be skipped without a word, and its schema never created.
    if (!match) throw new Error(`Migration file ${file} in ${dir} is not named NNN_name.sql`);
    migrations.push({
      version: Number(match[1]),
      name: file.slice(0, -'.sql'.length),
      sql: readFileSync(join(dir, file), 'utf8'),
    });
  }
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version === migrations[i - 1]!.version) {
      throw new Error(`Two migrations have version ${migrations[i]!.version} in ${dir}`);
    }
  }
  return migrations;
}

/**
 * Serializes migrators of the same schema across connections and nodes: several servers starting
 * at once against one database must not apply a migration twice. Keyed by schema so that test
 * workers, each in its own schema, do not wait on one another. Released at commit.
 */
async function lockMigrations(db: Kysely<Database>): Promise<void> {
  const schemaKey = sql`hashtext(coalesce(current_schema(), ''))`;
  await sql`select pg_advisory_xact_lock(hashtext('chat-server:migrate'), ${schemaKey})`.execute(db);
}

/**
 * Brings the database up to date and returns the names of the migrations this call applied. Cheap
 * when nothing is pending (one transaction and one query); safe to run concurrently.
 */
export async function migrate(db: Kysely<Database>, options: { dir?: string } = {}): Promise<string[]> {
  const migrations = loadMigrations(options.dir);
  await db.transaction().execute(async (tx) => {
    // Under the lock too: two concurrent CREATE TABLE IF NOT EXISTS can both try to create it.
    await lockMigrations(tx);
    await sql`
      create table if not exists schema_migrations (
        version integer primary key,
        name text not null,
        applied_at timestamptz not null default now()
      )`.execute(tx);
  });

  const done = new Set(
    (await db.selectFrom('schema_migrations').select('version').execute()).map((row) => row.version),
  );
  const applied: string[] = [];
  for (const migration of migrations) {
    if (done.has(migration.version)) continue;
    const didApply = await db.transaction().execute(async (tx) => {
      await lockMigrations(tx);
      // Another node may have applied it while we waited for the lock.
      const already = await tx
        .selectFrom('schema_migrations')
        .select('version')
        .where('version', '=', migration.version)
        .executeTakeFirst();
      if (already) return false;
      await sql.raw(migration.sql).execute(tx);
      await tx
        .insertInto('schema_migrations')
        .values({ version: migration.version, name: migration.name })
        .execute();
      return true;
    });
    if (didApply) applied.push(migration.name);
  }
  return applied;
}
