import { sql } from 'kysely';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REPLAY_EVENTS, recordChannelEvent } from '../src/events/channel-events';
import { pruneEventLog } from '../src/jobs/event-log-retention';
import type { ChatServer } from '../src/startup/server';
import { getTestServer } from './api';
import { channelPath, createChannel, send } from './rest-helpers';
import { appOn, closeSockets } from './ws-fixtures';

/**
 * How long the channel event log keeps what replay needs: each channel its last
 * MAX_REPLAY_EVENTS events (older ones could never be replayed), and nothing older than the
 * retention age. A client whose gap was pruned resumes with fresh state, never with a hole.
 */

let server: ChatServer;
beforeAll(async () => {
  server = await getTestServer();
});
afterEach(closeSockets);

const DAY = 24 * 3600 * 1000;

async function channelRow(appId: string, id: string) {
  return server.store.db
    .selectFrom('channels')
    .select(['id', 'seq'])
    .where('app_id', '=', appId)
    .where('external_id', '=', id)
    .executeTakeFirstOrThrow();
}

const eventCount = async (channelId: string) =>
  Number(
    (
      await server.store.db
        .selectFrom('channel_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('channel_id', '=', channelId)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('event log retention', () => {
  it(`a channel's log is trimmed on write to its last ${MAX_REPLAY_EVENTS} events`, async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice');
    await createChannel(alice!, 'busy');
    const channel = await channelRow(t.app.id, 'busy');
    const start = Number(channel.seq);
    const last = start + MAX_REPLAY_EVENTS + 199;
    // A long history, written directly: a thousand sends would only make the test slow.
    await sql`
      insert into channel_events (app_id, channel_id, seq, type, payload)
      select ${t.app.id}, ${channel.id}, s, 'channel.updated', '{}'::jsonb
      from generate_series(${start + 1}::bigint, ${last - 1}::bigint) s`.execute(server.store.db);
    expect(await eventCount(channel.id)).toBe(last - 1);
    const event = {
      type: 'channel.watchers' as const,
      cid: 'messaging:busy',
      seq: last,
      created_at: new Date().toISOString(),
      watcher_count: 0,
    };
    await server.store.db.transaction().execute((tx) => recordChannelEvent(tx, t.app.id, channel.id, event));
    expect(await eventCount(channel.id)).toBe(MAX_REPLAY_EVENTS);
    const oldest = await server.store.db
      .selectFrom('channel_events')
      .select((eb) => eb.fn.min('seq').as('seq'))
      .where('channel_id', '=', channel.id)
      .executeTakeFirstOrThrow();
    expect(Number(oldest.seq)).toBe(last - MAX_REPLAY_EVENTS + 1);
  });

  it('events older than the retention age are pruned; a client whose gap was pruned gets fresh state', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice', 'bob');
    const cid = await createChannel(alice!, 'quiet', ['bob']);
    const since = (await t.server.get(channelPath(cid))).body.channel.seq as number;
    const old = [await send(alice!, cid, 'one'), await send(alice!, cid, 'two')];
    const recent = await send(alice!, cid, 'three');
    const channel = await channelRow(t.app.id, 'quiet');
    await server.store.db
      .updateTable('channel_events')
      .set({ created_at: new Date(Date.now() - 40 * DAY) })
      .where('channel_id', '=', channel.id)
      .where('seq', '<=', old[1]!.seq)
      .execute();

    expect(await pruneEventLog(server.store.db, 30 * DAY)).toBeGreaterThanOrEqual(since + 2);
    expect(await eventCount(channel.id)).toBe(1);

    const bob = await t.connect('bob');
    const pruned = await bob.ok({ type: 'channel.watch', cid, since });
    expect(pruned.recovered).toBe(false);
    expect(pruned.state.messages.map((m: { id: string }) => m.id)).toEqual([...old, recent].map((m) => m.id));
    // What is still kept replays as before.
    const kept = await bob.ok({ type: 'channel.watch', cid, since: old[1]!.seq });
    expect(kept.recovered).toBe(true);
    expect(kept.events.map((e: { message: { id: string } }) => e.message.id)).toEqual([recent.id]);
  });
});
