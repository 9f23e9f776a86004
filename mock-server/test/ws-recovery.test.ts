import type { ChannelEvent, ChatEvent } from '@chat/protocol';
import { isChannelEvent } from '@chat/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REPLAY_EVENTS } from '../src/realtime/recovery';
import { type ChatServer, createChatServer } from '../src/startup/server';
import { clientId } from './api';
import { getTestStore } from './harness';
import { channelPath, createChannel, send } from './rest-helpers';
import { appOn, closeSockets, type WsTestApp, waitForEvent } from './ws-fixtures';

/**
 * Reconnecting with `channel.watch { since }`: the events a client missed come back in the ack,
 * gap-free and in order, exactly as an online watcher saw them; too far behind (or ahead), the
 * client gets fresh state instead.
 */

let server: ChatServer;
beforeAll(async () => {
  server = await createChatServer({
    store: await getTestStore(),
    port: 0,
    seedDemo: false,
    logLevel: 'silent',
    // The socket writes of these tests are many; the write budget is not what they test.
    realtime: { writes: { points: 10_000, durationSeconds: 10 } },
  });
});
afterAll(() => server?.close());
afterEach(closeSockets);

/** The stored events of a channel after a seq (watcher counts take no seq of their own). */
const channelEvents = (events: ChatEvent[], cid: string, afterSeq: number): ChannelEvent[] =>
  events.filter(
    (e): e is ChannelEvent =>
      isChannelEvent(e) && e.type !== 'channel.watchers' && e.cid === cid && e.seq > afterSeq,
  );

/** A channel `messaging:<id>` of alice, bob and carol. */
async function room(t: WsTestApp, id = 'room') {
  const [alice] = await t.users('alice', 'bob', 'carol');
  const cid = await createChannel(alice!, id, ['bob', 'carol']);
  return { alice: alice!, cid, path: channelPath(cid) };
}

/** The channel's seq, as the server reports it. */
async function seqOf(t: WsTestApp, path: string): Promise<number> {
  const reply = await t.server.get(path);
  expect(reply.status).toBe(200);
  return reply.body.channel.seq;
}

describe('watch with since', () => {
  it('replays exactly the 50 events missed while away, in consecutive seq order, with their messages as they are now', async () => {
    const t = await appOn(server);
    const { alice, cid } = await room(t);
    const a = await t.connect('alice');
    const online = await t.connect('carol');
    await a.ok({ type: 'channel.watch', cid });
    await online.ok({ type: 'channel.watch', cid });
    await send(alice, cid, 'before');

    const b = await t.connect('bob');
    const first = await b.ok({ type: 'channel.watch', cid });
    expect(first.recovered).toBe(false);
    const since: number = first.state.channel.seq;
    expect(since).toBeGreaterThan(0);
    b.close();
    await b.waitForClose();

    // 50 events while bob is away, over the socket, REST as alice, and REST server-side.
    const viaSocket = async (text: string) =>
      (await a.ok({ type: 'message.send', cid, message: { client_msg_id: clientId(), text } })).message;
    const viaServer = async (text: string) => send(t.server, cid, text, { user_id: 'alice' });
    for (let i = 0; i < 10; i++) {
      const even = i % 2 === 0;
      const first = even ? await viaSocket(`a${i}`) : await send(alice, cid, `a${i}`);
      const second = even ? await viaServer(`b${i}`) : await viaSocket(`b${i}`);
      if (even)
        await a.ok({ type: 'message.update', message_id: first.id, message: { text: `a${i} edited` } });
      else expect((await alice.patch(`/v1/messages/${first.id}`, { text: `a${i} edited` })).status).toBe(200);
      if (even)
        expect((await alice.post(`/v1/messages/${second.id}/reactions`, { type: 'like' })).status).toBe(201);
      else await a.ok({ type: 'reaction.add', message_id: second.id, reaction_type: 'like' });
      if (even) await a.ok({ type: 'message.delete', message_id: first.id });
      else expect((await alice.delete(`/v1/messages/${first.id}`)).status).toBe(200);
    }
    const last = since + 50;
    expect(await seqOf(t, channelPath(cid))).toBe(last);
    await waitForEvent(online, 'message.deleted', (e) => e.seq === last);
    const seen = channelEvents(online.events, cid, since);

    const back = await t.connect('bob');
    const reply = await back.ok({ type: 'channel.watch', cid, since });
    expect(reply.recovered).toBe(true);
    const replayed = reply.events as ChannelEvent[];
    expect(replayed.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => since + 1 + i));
    expect(replayed.every((e) => e.cid === cid)).toBe(true);
    expect(new Set(replayed.map((e) => e.type))).toEqual(
      new Set(['message.new', 'message.updated', 'message.deleted', 'reaction.new']),
    );
    expect(replayed.filter((e) => e.type === 'message.new')).toHaveLength(20);
    // The same events an online watcher saw; a message edited or deleted since is carried as it
    // is now (the last version the watcher saw): replay never brings back what an edit or a
    // delete took away.
    expect(replayed.map((e) => [e.seq, e.type])).toEqual(seen.map((e) => [e.seq, e.type]));
    const now = new Map(seen.flatMap((e) => ('message' in e ? [[e.message.id, e.message] as const] : [])));
    const changed = new Set(
      seen.flatMap((e) =>
        e.type === 'message.updated' || e.type === 'message.deleted' ? [e.message.id] : [],
      ),
    );
    expect(replayed).toEqual(
      seen.map((e) =>
        'message' in e && changed.has(e.message.id) ? { ...e, message: now.get(e.message.id) } : e,
      ),
    );
    // The state of a recovered watch is current; its messages, members and reads came as events.
    expect(reply.state.channel.seq).toBe(last);
    expect(reply.state.messages).toEqual([]);
    expect(reply.state.members).toEqual([]);
    expect(reply.state.read).toEqual([]);
    expect(reply.state.membership).toMatchObject({ user_id: 'bob' });

    // Watching again with the last seq it has: caught up, nothing to replay.
    const again = await back.ok({ type: 'channel.watch', cid, since: last });
    expect(again).toMatchObject({ recovered: true, events: [] });

    // And the replayed watch is live from here on.
    const next = await send(alice, cid, 'after');
    const live = await waitForEvent(back, 'message.new', (e) => e.message.id === next.id);
    expect(live.seq).toBe(last + 1);
  }, 60_000); // some 60 writes and 4 sockets: slow on a loaded machine

  it('a since equal to the current seq recovers with no events', async () => {
    const t = await appOn(server);
    const { alice, cid } = await room(t);
    await send(alice, cid, 'one');
    await send(alice, cid, 'two');
    const current = await seqOf(t, channelPath(cid));
    const b = await t.connect('bob');
    const reply = await b.ok({ type: 'channel.watch', cid, since: current });
    expect(reply.recovered).toBe(true);
    expect(reply.events).toEqual([]);
    expect(reply.state.channel.seq).toBe(current);
  });

  it('a since ahead of the channel seq is not recovered: fresh state instead', async () => {
    const t = await appOn(server);
    const { alice, cid } = await room(t);
    const sent = [await send(alice, cid, 'one'), await send(alice, cid, 'two')];
    const current = await seqOf(t, channelPath(cid));
    const b = await t.connect('bob');
    const reply = await b.ok({ type: 'channel.watch', cid, since: current + 1 });
    expect(reply.recovered).toBe(false);
    expect(reply.events).toEqual([]);
    expect(reply.state.channel.seq).toBe(current);
    expect(reply.state.messages.map((m: { id: string }) => m.id)).toEqual(sent.map((m) => m.id));
  });

  it(`replays up to MAX_REPLAY_EVENTS (${MAX_REPLAY_EVENTS}) events; a longer gap gets fresh state`, async () => {
    const t = await appOn(server);
    const { cid, path } = await room(t);
    const online = await t.connect('carol');
    await online.ok({ type: 'channel.watch', cid });
    const b = await t.connect('bob');
    const since: number = (await b.ok({ type: 'channel.watch', cid })).state.channel.seq;
    b.close();
    await b.waitForClose();

    // More than MAX_REPLAY_EVENTS events, quickly: server-side sends in parallel batches.
    const total = MAX_REPLAY_EVENTS + 5;
    const batch = 25;
    for (let i = 0; i < total; i += batch) {
      await Promise.all(
        Array.from({ length: Math.min(batch, total - i) }, (_, j) =>
          send(t.server, cid, `m${i + j}`, { user_id: 'alice' }),
        ),
      );
    }
    const current = await seqOf(t, path);
    expect(current).toBe(since + total);
    // Concurrent writers: the online watcher still gets every seq, once.
    await online.waitFor((e) => isChannelEvent(e) && e.seq === current, 30_000);
    const live = channelEvents(online.events, cid, since).map((e) => e.seq);
    expect([...live].sort((x, y) => x - y)).toEqual(Array.from({ length: total }, (_, i) => since + 1 + i));

    const back = await t.connect('bob');
    const stale = await back.ok({ type: 'channel.watch', cid, since });
    expect(stale.recovered).toBe(false);
    expect(stale.events).toEqual([]);
    expect(stale.state.channel.seq).toBe(current);
    const newestSeq = Math.max(...stale.state.messages.map((m: { seq: number }) => m.seq));
    expect(newestSeq).toBe(current);
    expect(stale.state.messages.length).toBeGreaterThan(0);

    // One past the limit is still too far; exactly the limit is replayed.
    const tooFar = await back.ok({ type: 'channel.watch', cid, since: current - MAX_REPLAY_EVENTS - 1 });
    expect(tooFar.recovered).toBe(false);
    const edge = await back.ok({ type: 'channel.watch', cid, since: current - MAX_REPLAY_EVENTS });
    expect(edge.recovered).toBe(true);
    const seqs = (edge.events as ChannelEvent[]).map((e) => e.seq);
    expect(seqs).toEqual(
      Array.from({ length: MAX_REPLAY_EVENTS }, (_, i) => current - MAX_REPLAY_EVENTS + 1 + i),
    );
  }, 120_000); // a thousand sends take a while on a loaded machine
});
