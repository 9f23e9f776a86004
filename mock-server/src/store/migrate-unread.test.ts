import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, newTestSchema, testDatabase, testDatabaseUrl } from '../../test/harness';
import { unreadByChannel } from '../domain/reads/unread';
import { openStore, type Store } from './database';
import { migrate, migrationsDir } from './migrate';

/**
 * 002 replaced the stored per-member unread counts with read points. A store that had counts
 * must keep them: each member's derived count after the migration equals its stored one.
 */
describe(`002_unread_from_read_seq on ${testDatabase}`, () => {
  let store: Store;
  let dir: string;
  beforeAll(async () => {
    store =
      testDatabase === 'postgres'
        ? await openStore({ databaseUrl: testDatabaseUrl(), schema: newTestSchema(), poolSize: 2 })
        : await openStore({ dataDir: 'memory', schema: newTestSchema() });
    // Back to the schema as 001 left it: the counts stored, no read points.
    await sql`drop index messages_unread_idx`.execute(store.db);
    await sql`drop index channel_members_channel_idx`.execute(store.db);
    await sql`alter table channel_members drop column read_seq`.execute(store.db);
    await sql`alter table channel_members add column unread_count integer not null default 0`.execute(
      store.db,
    );
    await sql`delete from schema_migrations where name = '002_unread_from_read_seq'`.execute(store.db);
    dir = mkdtempSync(join(tmpdir(), 'chat-migration-002-'));
    copyFileSync(
      join(migrationsDir(), '002_unread_from_read_seq.sql'),
      join(dir, '002_unread_from_read_seq.sql'),
    );
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every member’s unread count', async () => {
    const db = store.db;
    const app = await createTestApp(db);
    const users = await db
      .insertInto('app_users')
      .values(['ann', 'bob', 'cat'].map((id) => ({ app_id: app.id, external_id: id, custom: '{}' })))
      .returning(['id', 'external_id'])
      .execute();
    const id = Object.fromEntries(users.map((u) => [u.external_id, u.id])) as Record<string, string>;
    const channel = await db
      .insertInto('channels')
      .values({ app_id: app.id, type: 'messaging', external_id: 'general', custom: '{}', seq: 0 })
      .returning('id')
      .executeTakeFirstOrThrow();
    // ann, bob, ann, cat, a reply by bob, ann (deleted), bob: seqs 1..7.
    const authors = ['ann', 'bob', 'ann', 'cat', 'bob', 'ann', 'bob'];
    let parent: string | null = null;
    for (const [i, author] of authors.entries()) {
      const row = await db
        .insertInto('messages')
        .values({
          app_id: app.id,
          channel_id: channel.id,
          app_user_id: id[author]!,
          seq: i + 1,
          custom: '{}',
          parent_id: i === 4 ? parent : null,
          is_deleted: i === 5,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      parent ??= row.id;
    }
    await db.updateTable('channels').set({ seq: 7 }).where('id', '=', channel.id).execute();
    // Stored counts: cat has read nothing of the 4 from others that count (ann 1, bob 2, ann 3,
    // bob 7); bob missed ann 3 and cat 4; ann is up to date.
    const stored = { ann: 0, bob: 2, cat: 4 };
    await db
      .insertInto('channel_members')
      .values(
        Object.entries(stored).map(([user, unread]) => ({
          app_id: app.id,
          channel_id: channel.id,
          app_user_id: id[user]!,
          unread_count: unread,
        })) as never,
      )
      .execute();

    expect(await migrate(db, { dir })).toEqual(['002_unread_from_read_seq']);

    const derived = await unreadByChannel(db, Object.values(id));
    const byUser = Object.fromEntries(
      users.map((u) => [u.external_id, derived.find((d) => d.app_user_id === u.id)?.unread_count ?? 0]),
    );
    expect(byUser).toEqual(stored);
  });
});
