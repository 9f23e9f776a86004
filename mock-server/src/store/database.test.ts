import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, getTestStore, testDatabase } from '../../test/harness';
import type { Store } from './database';

let store: Store;
beforeAll(async () => {
  store = await getTestStore();
});

async function newChannel(appId: string) {
  return store.db
    .insertInto('channels')
    .values({ app_id: appId, type: 'messaging', external_id: `c-${Math.random()}`, custom: '{}', seq: 41 })
    .returning(['id', 'seq', 'created_at'])
    .executeTakeFirstOrThrow();
}

describe(`store on ${testDatabase}`, () => {
  it('is the backend this suite asked for', () => {
    expect(store.kind).toBe(testDatabase);
  });

  it('returns bigint as number, timestamptz as Date, text[] as string[], jsonb as objects', async () => {
    const app = await createTestApp(store.db, {
      allowed_origins: ['https://a.example', 'https://b.example'],
    });
    expect(app.allowed_origins).toEqual(['https://a.example', 'https://b.example']);
    expect(app.created_at).toBeInstanceOf(Date);

    const channel = await newChannel(app.id);
    expect(channel.seq).toBe(41);
    expect(channel.created_at).toBeInstanceOf(Date);

    const row = await sql<{ big: number; bigs: number[]; doc: { a: number } }>`
      select 9007199254740991::bigint as big, array[1, 2]::bigint[] as bigs, '{"a":1}'::jsonb as doc
    `.execute(store.db);
    expect(row.rows[0]).toEqual({ big: Number.MAX_SAFE_INTEGER, bigs: [1, 2], doc: { a: 1 } });

    const counted = await store.db
      .selectFrom('channels')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('app_id', '=', app.id)
      .executeTakeFirstOrThrow();
    expect(counted.n).toBe(1);
  });

  it('refuses a bigint that a JS number cannot hold exactly', async () => {
    await expect(sql`select 9007199254740993::bigint as big`.execute(store.db)).rejects.toThrow(/precision/);
  });

  it('reports affected rows', async () => {
    const app = await createTestApp(store.db);
    await newChannel(app.id);
    await newChannel(app.id);
    const result = await store.db
      .updateTable('channels')
      .set({ is_frozen: true })
      .where('app_id', '=', app.id)
      .executeTakeFirst();
    expect(result.numUpdatedRows).toBe(2n);
  });

  it('keeps concurrent transactions apart: a rollback undoes only its own writes', async () => {
    const app = await createTestApp(store.db);
    const failing = store.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('channels')
        .values({ app_id: app.id, type: 'team', external_id: 'rolled-back', custom: '{}' })
        .execute();
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw new Error('abort');
    });
    const committing = store.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('channels')
        .values({ app_id: app.id, type: 'team', external_id: 'committed', custom: '{}' })
        .execute();
    });
    await expect(failing).rejects.toThrow('abort');
    await committing;
    const channels = await store.db
      .selectFrom('channels')
      .select('external_id')
      .where('app_id', '=', app.id)
      .execute();
    expect(channels).toEqual([{ external_id: 'committed' }]);
  });
});
