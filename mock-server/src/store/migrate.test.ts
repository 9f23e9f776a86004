import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestStore, newTestSchema, testDatabase, testDatabaseUrl } from '../../test/harness';
import { openStore, type Store } from './database';
import { loadMigrations, migrate, migrationsDir } from './migrate';

const shipped = loadMigrations();

const temporaryDirs: string[] = [];
/** A new empty directory, removed after the file's tests. */
function temporaryDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporaryDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
});

/** A store on an empty schema of this suite's backend: openStore migrates it from nothing. */
function openEmptyStore(schema = newTestSchema()): Promise<Store> {
  return testDatabase === 'postgres'
    ? openStore({ databaseUrl: testDatabaseUrl(), schema, poolSize: 2 })
    : openStore({ dataDir: 'memory', schema });
}

/** The shipped migrations plus one more, with several statements, in a temporary directory. */
function migrationsWithExtra(): string {
  const dir = temporaryDir('chat-migrations-');
  for (const migration of shipped)
    copyFileSync(join(migrationsDir(), `${migration.name}.sql`), join(dir, `${migration.name}.sql`));
  writeFileSync(
    join(dir, '900_extra.sql'),
    `create table extra (id integer primary key);
     insert into extra values (1);
     comment on table extra is 'added by a test';`,
  );
  return dir;
}

async function appliedNames(store: Store): Promise<string[]> {
  const rows = await store.db.selectFrom('schema_migrations').select('name').orderBy('version').execute();
  return rows.map((row) => row.name);
}

describe(`migrations on ${testDatabase}`, () => {
  let fresh: Store;
  let startedAt: Date;
  beforeAll(async () => {
    startedAt = new Date(Date.now() - 1000);
    fresh = await openEmptyStore();
  });
  afterAll(() => fresh?.close());

  it('finds the shipped SQL files beside this module', () => {
    expect(shipped.map((m) => m.name)).toContain('001_schema_v2');
    expect(shipped.map((m) => m.version)).toEqual([...shipped.map((m) => m.version)].sort((a, b) => a - b));
  });

  it('apply from an empty schema and record each file', async () => {
    expect(await appliedNames(fresh)).toEqual(shipped.map((m) => m.name));
    const rows = await fresh.db.selectFrom('schema_migrations').select('applied_at').execute();
    for (const row of rows) expect(row.applied_at.getTime()).toBeGreaterThanOrEqual(startedAt.getTime());
    // The tables landed in the store's own schema, and are usable.
    const channels = await fresh.db.selectFrom('channels').select('id').execute();
    expect(channels).toEqual([]);
  });

  it('are a no-op when run again', async () => {
    expect(await migrate(fresh.db)).toEqual([]);
    expect(await migrate(fresh.db)).toEqual([]);
    expect(await appliedNames(fresh)).toEqual(shipped.map((m) => m.name));
  });

  it('are applied on the shared test store', async () => {
    const store = await getTestStore();
    expect(await appliedNames(store)).toEqual(shipped.map((m) => m.name));
    expect(await migrate(store.db)).toEqual([]);
  });

  it('apply a new file once, even when two migrators race on one store', async () => {
    const dir = migrationsWithExtra();
    const results = await Promise.all([migrate(fresh.db, { dir }), migrate(fresh.db, { dir })]);
    expect(results.flat()).toEqual(['900_extra']);
    expect(await migrate(fresh.db, { dir })).toEqual([]);
    const extra = await sql<{ id: number }>`select id from extra`.execute(fresh.db);
    expect(extra.rows).toEqual([{ id: 1 }]);
  });

  it('roll back a failing file entirely and do not record it', async () => {
    const dir = temporaryDir('chat-migrations-');
    writeFileSync(
      join(dir, '950_broken.sql'),
      'create table half_done (id int); select * from no_such_table;',
    );
    await expect(migrate(fresh.db, { dir })).rejects.toThrow(/no_such_table/);
    const tables = await sql<{ n: number }>`
      select count(*) as n from information_schema.tables where table_name = 'half_done'`.execute(fresh.db);
    expect(tables.rows[0]!.n).toBe(0);
    expect(await appliedNames(fresh)).not.toContain('950_broken');
  });
});

describe.runIf(testDatabase === 'postgres')('migrations from two nodes at once (PostgreSQL)', () => {
  it('both succeed and each file is applied once', async () => {
    const schema = newTestSchema();
    // Two pools on one new schema, opened together: both create the schema and migrate at once.
    const [a, b] = await Promise.all([openEmptyStore(schema), openEmptyStore(schema)]);
    try {
      expect(await appliedNames(a)).toEqual(shipped.map((m) => m.name));
      const dir = migrationsWithExtra();
      const results = await Promise.all([migrate(a.db, { dir }), migrate(b.db, { dir })]);
      expect(results.flat()).toEqual(['900_extra']);
      expect(await appliedNames(b)).toEqual([...shipped.map((m) => m.name), '900_extra']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('migration files', () => {
  it('are found beside the bundle too (dist/, where tsup copies them)', () => {
    const dist = temporaryDir('chat-dist-');
    writeFileSync(join(dist, '001_first.sql'), 'select 1;');
    const bundle = pathToFileURL(join(dist, 'index.js')).href;
    expect(migrationsDir(bundle)).toBe(dist);
  });

  it('must be named NNN_name.sql', () => {
    const dir = temporaryDir('chat-migrations-');
    writeFileSync(join(dir, '001_first.sql'), 'select 1;');
    writeFileSync(join(dir, 'second.sql'), 'select 1;');
    expect(() => loadMigrations(dir)).toThrow(/second\.sql.*NNN_name\.sql/);
  });

  it('must not share a version', () => {
    const dir = temporaryDir('chat-migrations-');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '001_first.sql'), 'select 1;');
    writeFileSync(join(dir, '1_again.sql'), 'select 1;');
    expect(() => loadMigrations(dir)).toThrow(/version 1/);
  });
});
