import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp, testDatabase } from '../../test/harness';
import { openStore, type Store } from './database';
import { getSnapshot, readCachedSnapshot, snapshotPath } from './snapshot';

/** When the store's migrations were recorded: at snapshot build time if it started from one. */
async function migratedAt(store: Store): Promise<number[]> {
  const rows = await store.db
    .selectFrom('schema_migrations')
    .select('applied_at')
    .orderBy('version')
    .execute();
  return rows.map((row) => row.applied_at.getTime());
}

async function timed<T>(label: string, open: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await open();
  console.info(`${label}: ${Math.round(performance.now() - started)} ms`);
  return result;
}

describe.runIf(testDatabase === 'pglite')('PGlite snapshot', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('is cached in the temp directory, keyed by migrations and PGlite version', async () => {
    // test/global-setup.ts built it (or found it) before this worker started.
    expect(snapshotPath()).toMatch(/chat-server-pglite-[0-9a-f]{16}\.tar\.gz$/);
    expect(existsSync(snapshotPath())).toBe(true);
    const cached = await readCachedSnapshot();
    expect(cached?.size).toBeGreaterThan(0);
    expect(await getSnapshot()).toBe(await getSnapshot());
  });

  it('starts memory stores already migrated, without running the migrations again', async () => {
    const openedAt = Date.now();
    const first = await timed('memory store from snapshot', () => openStore({ dataDir: 'memory' }));
    const second = await openStore({ dataDir: 'memory' });
    try {
      const recorded = await migratedAt(first);
      expect(recorded.length).toBeGreaterThan(0);
      // Both carry the snapshot's own migration record, made before either was opened.
      expect(await migratedAt(second)).toEqual(recorded);
      for (const time of recorded) expect(time).toBeLessThan(openedAt);
      // And each is its own database.
      const app = await createTestApp(first.db);
      const inSecond = await second.db.selectFrom('applications').where('id', '=', app.id).execute();
      expect(inSecond).toEqual([]);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('seeds a new data directory, which later reopens with its data', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'chat-data-'));
    dirs.push(parent);
    const dataDir = join(parent, 'nested', 'data');

    const created = await timed('new data dir from snapshot', () => openStore({ dataDir }));
    const recorded = await migratedAt(created);
    const app = await createTestApp(created.db, { name: 'persisted' });
    await created.close();
    await created.close(); // closing twice is harmless

    const reopened = await timed('persisted data dir reopen', () => openStore({ dataDir }));
    try {
      expect(await migratedAt(reopened)).toEqual(recorded);
      const found = await reopened.db
        .selectFrom('applications')
        .select('name')
        .where('id', '=', app.id)
        .executeTakeFirst();
      expect(found).toEqual({ name: 'persisted' });
    } finally {
      await reopened.close();
    }
  });
});
