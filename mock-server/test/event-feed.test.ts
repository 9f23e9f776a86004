import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FeedConsumer, type FeedEvent, feedOnce, runFeed } from '../src/jobs/event-feed';
import { createLogger } from '../src/kernel/logger';
import type { ChatServer } from '../src/startup/server';
import { openStore } from '../src/store/database';
import { getTestServer } from './api';
import { newTestSchema, testDatabase, testDatabaseUrl } from './harness';
import { createChannel, send } from './rest-helpers';
import { appOn } from './ws-fixtures';

/**
 * The event feed hands committed channel events to a consumer in commit order, each once; a
 * consumer that fails sees the same events again; a transaction still running never lets the
 * cursor pass its events; several feeds of one consumer never hand an event twice.
 */

let server: ChatServer;
beforeAll(async () => {
  server = await getTestServer();
});

/** A consumer that keeps what it got, for one application's events only. */
function collector(appId: string, options: { failTimes?: number } = {}) {
  const got: FeedEvent[] = [];
  let failures = options.failTimes ?? 0;
  const consumer: FeedConsumer = {
    name: `test-${randomBytes(4).toString('hex')}`,
    async handle(_tx, events) {
      if (failures > 0) {
        failures -= 1;
        throw new Error('consumer down');
      }
      got.push(...events.filter((e) => e.appId === appId));
    },
  };
  return { consumer, got };
}

/** Feeds until the feed is empty for this consumer. */
async function drain(consumer: FeedConsumer): Promise<void> {
  while ((await feedOnce(server.store.db, consumer, 50)) > 0);
}

describe('event feed', () => {
  it('hands every committed event once, in commit order, with a stable id', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice', 'bob');
    const cid = await createChannel(alice!, 'feed', ['bob']);
    const sent = [];
    for (let i = 0; i < 12; i++) sent.push(await send(alice!, cid, `m${i}`));
    const { consumer, got } = collector(t.app.id);
    await drain(consumer);
    const messages = got.filter((e) => e.event.type === 'message.new');
    expect(messages.map((e) => e.seq)).toEqual(sent.map((m) => m.seq));
    expect(messages.map((e) => e.id)).toEqual(messages.map((e) => `${e.channelId}:${e.seq}`));
    expect(new Set(got.map((e) => e.id)).size).toBe(got.length);

    // Nothing again, until something new commits.
    await drain(consumer);
    expect(got.filter((e) => e.event.type === 'message.new')).toHaveLength(12);
    const later = await send(alice!, cid, 'later');
    await drain(consumer);
    expect(got.at(-1)).toMatchObject({ seq: later.seq, event: { type: 'message.new' } });
  });

  it('hands on the outbox’s app events in commit order among the channel events', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice');
    const cid = await createChannel(alice!, 'mixed', []);
    await alice!.patch('/v1/users/me', { name: 'Alice A.' });
    await send(alice!, cid, 'hi');
    const { consumer, got } = collector(t.app.id);
    await drain(consumer);
    const at = (type: string) => got.findIndex((e) => e.event.type === type);
    const order = ['user.created', 'channel.created', 'user.updated', 'message.new'].map(at);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((x, y) => x - y));
    expect(
      got.filter((e) => !e.channelId).map((e) => [e.event.type, e.id.startsWith('app:'), e.seq]),
    ).toEqual([
      ['user.created', true, null],
      ['user.updated', true, null],
    ]);
  });

  it('gives a failed batch again: nothing is lost, nothing skipped', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice');
    const cid = await createChannel(alice!, 'retry', []);
    await send(alice!, cid, 'one');
    await send(alice!, cid, 'two');
    const { consumer, got } = collector(t.app.id, { failTimes: 2 });
    await expect(feedOnce(server.store.db, consumer)).rejects.toThrow('consumer down');
    await expect(feedOnce(server.store.db, consumer)).rejects.toThrow('consumer down');
    await drain(consumer);
    expect(got.filter((e) => e.event.type === 'message.new').map((e) => e.seq)).toEqual([2, 3]);
  });

  it('runs until stopped, retrying after a failure', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice');
    const cid = await createChannel(alice!, 'loop', []);
    const { consumer, got } = collector(t.app.id, { failTimes: 1 });
    const feed = runFeed(server.store.db, consumer, {
      idleMs: 50,
      logger: createLogger({ level: 'silent' }),
    });
    try {
      const message = await send(alice!, cid, 'while running');
      await expect.poll(() => got.some((e) => e.seq === message.seq), { timeout: 10_000 }).toBe(true);
    } finally {
      await feed.stop();
    }
  });

  // PGlite is one session: it has no second transaction to hold open.
  describe.skipIf(testDatabase !== 'postgres')('on PostgreSQL, with transactions in flight', () => {
    it('never lets the cursor pass an event whose transaction has not committed yet', async () => {
      const t = await appOn(server);
      const [alice] = await t.users('alice');
      const cid = await createChannel(alice!, 'slow', []);
      const { consumer, got } = collector(t.app.id);
      await drain(consumer);

      // A second pool on the same schema holds a transaction open that has written an event (it
      // got its id first), while a later send commits.
      const other = await openStore({
        databaseUrl: testDatabaseUrl(),
        schema: server.store.schema ?? newTestSchema(),
        poolSize: 1,
      });
      try {
        const channel = await other.db
          .selectFrom('channels')
          .select(['id', 'seq'])
          .where('app_id', '=', t.app.id)
          .executeTakeFirstOrThrow();
        let release!: () => void;
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        let written!: () => void;
        const wrote = new Promise<void>((resolve) => {
          written = resolve;
        });
        const slow = other.db.transaction().execute(async (tx) => {
          await tx
            .insertInto('channel_events')
            .values({
              app_id: t.app.id,
              channel_id: channel.id,
              seq: 1_000_000,
              type: 'channel.updated',
              payload: JSON.stringify({ type: 'channel.updated', slow: true }),
            })
            .execute();
          written();
          await held;
        });
        await wrote;
        const fast = await send(alice!, cid, 'committed first');
        await drain(consumer);
        // The later transaction's event waits behind the one still open.
        expect(got.some((e) => e.seq === fast.seq)).toBe(false);
        release();
        await slow;
        await drain(consumer);
        // (seq 1: the channel's creation, handed before the slow transaction began.)
        expect(got.filter((e) => e.channelId).map((e) => e.seq)).toEqual([1, 1_000_000, fast.seq]);
      } finally {
        await other.close();
      }
    });

    it('several feeds of one consumer hand each event once in all', async () => {
      const t = await appOn(server);
      const [alice] = await t.users('alice');
      const cid = await createChannel(alice!, 'many', []);
      for (let i = 0; i < 30; i++) await send(alice!, cid, `m${i}`);
      const { consumer, got } = collector(t.app.id);
      const others = await Promise.all(
        [1, 2].map(() =>
          openStore({
            databaseUrl: testDatabaseUrl(),
            schema: server.store.schema ?? newTestSchema(),
            poolSize: 2,
          }),
        ),
      );
      try {
        const feedAll = async (db: typeof server.store.db) => {
          while ((await feedOnce(db, consumer, 7)) > 0);
        };
        await Promise.all([feedAll(server.store.db), ...others.map((o) => feedAll(o.db))]);
      } finally {
        await Promise.all(others.map((o) => o.close()));
      }
      const messages = got.filter((e) => e.event.type === 'message.new');
      expect(messages).toHaveLength(30);
      expect(new Set(got.map((e) => e.id)).size).toBe(got.length);
      expect(messages.map((e) => e.seq)).toEqual([...messages.map((e) => e.seq)].sort((a, b) => a! - b!));
    });
  });

  it('the log rows carry the writing transaction and a position, set by the database', async () => {
    const rows = await sql<{ tx: string; position: number }>`
      select tx::text as tx, position from channel_events order by position desc limit 2`.execute(
      server.store.db,
    );
    for (const row of rows.rows) {
      expect(row.tx).toMatch(/^\d+$/);
      expect(Number(row.position)).toBeGreaterThan(0);
    }
  });
});
