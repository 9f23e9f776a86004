import type { ChatEvent } from '@chat/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChatServer, createChatServer } from '../src/startup/server';
import { clientId } from './api';
import { getTestStore } from './harness';
import { channelPath, createChannel, send } from './rest-helpers';
import type { WsClient } from './ws-client';
import { appOn, closeSockets, eventsOf, meaningful, sleep, waitForEvent } from './ws-fixtures';

/**
 * Events of a channel reach only the sockets allowed to see them: never a non-member, never a
 * member of another channel, never a user of another application (even one with the same user
 * id watching a channel with the same cid), and no longer a member who was removed or banned.
 */

const TYPING_TIMEOUT_MS = 500;
const PRESENCE_GRACE_MS = 300;
/** Notifications to members not watching are sent after a query: give stragglers time to show. */
const SETTLE_MS = 500;

let server: ChatServer;
beforeAll(async () => {
  server = await createChatServer({
    store: await getTestStore(),
    port: 0,
    seedDemo: false,
    logLevel: 'silent',
    realtime: {
      typingTimeoutMs: TYPING_TIMEOUT_MS,
      typingThrottleMs: 100,
      presenceGraceMs: PRESENCE_GRACE_MS,
      writes: { points: 10_000, durationSeconds: 10 },
    },
  });
});
afterAll(() => server?.close());
afterEach(closeSockets);

const SECRET = 'messaging:secret-room';

/** What a client received, one line per event, for readable assertions. */
/** What a socket received, watcher counts of its own channels aside (checked on their own). */
const summary = (events: ChatEvent[]) =>
  meaningful(events)
    .filter((e) => e.type !== 'channel.watchers')
    .map((e) => {
      const json = e as { type: string; cid?: string; message?: { id: string }; user?: { id: string } };
      return [json.type, json.cid ?? json.user?.id, json.message?.id].filter(Boolean).join(' ');
    });

/** Events that mention any of `strings` (a cid, message ids) as a JSON string value. */
const mentioning = (events: ChatEvent[], ...strings: (string | Iterable<string>)[]) => {
  const needles = strings.flatMap((s) => (typeof s === 'string' ? [s] : [...s])).map((s) => `"${s}"`);
  return events.filter((e) => {
    const json = JSON.stringify(e);
    return needles.some((needle) => json.includes(needle));
  });
};

const sendOver = async (client: WsClient, cid: string, text: string) =>
  (await client.ok({ type: 'message.send', cid, message: { client_msg_id: clientId(), text } })).message;

describe('no event leaks to sockets that may not see it', () => {
  it('non-members, members of other channels and same-id users of another app get none of a channel’s events', async () => {
    // App A: the secret room of alice and bob; carol and dave have channels of their own.
    const t = await appOn(server);
    const [alice, bob, carol, dave] = await t.users('alice', 'bob', 'carol', 'dave', 'frank', 'gina');
    const cid = await createChannel(alice!, 'secret-room', ['bob']);
    const path = channelPath(cid);
    const carolRoom = await createChannel(carol!, 'carol-room', []);
    const daveRoom = await createChannel(dave!, 'dave-room', ['gina']);

    // App B: the same user ids, and a channel with the same cid.
    const other = await appOn(server);
    const [otherAlice] = await other.users('alice', 'bob');
    expect(await createChannel(otherAlice!, 'secret-room', ['bob'])).toBe(SECRET);
    const otherSeq0 = (await other.server.get(path)).body.channel.seq;

    const a = await t.connect('alice');
    const b = await t.connect('bob');
    const c = await t.connect('carol');
    const d = await t.connect('dave');
    const eve = await other.connect('bob');
    await a.ok({ type: 'channel.watch', cid });
    await b.ok({ type: 'channel.watch', cid });
    await c.ok({ type: 'channel.watch', cid: carolRoom });
    await d.ok({ type: 'channel.watch', cid: daveRoom });
    await eve.ok({ type: 'channel.watch', cid: SECRET });

    // carol cannot watch, recover, type in, post to or mark the room: it does not exist for her.
    for (const frame of [
      { type: 'channel.watch', cid },
      { type: 'channel.watch', cid, since: 0 },
      { type: 'typing.start', cid },
      { type: 'message.send', cid, message: { client_msg_id: clientId(), text: 'let me in' } },
      { type: 'read.mark', cid },
    ] as const) {
      expect(await c.request(frame), frame.type).toMatchObject({
        type: 'error',
        error: { code: 'not_found' },
      });
    }

    // Every kind of event on the secret room.
    const ids = new Set<string>();
    const track = <M extends { id: string }>(m: M) => {
      ids.add(m.id);
      return m;
    };
    const m1 = track(await sendOver(a, cid, 'one'));
    const m2 = track(await sendOver(b, cid, 'two'));
    const m3 = track(await send(alice!, cid, 'three'));
    track(await send(t.server, cid, 'four', { user_id: 'bob' }));
    track(await send(alice!, cid, 'a reply', { parent_id: m1.id }));
    await a.ok({ type: 'message.update', message_id: m1.id, message: { text: 'one, edited' } });
    expect((await bob!.patch(`/v1/messages/${m2.id}`, { text: 'two, edited' })).status).toBe(200);
    await b.ok({ type: 'reaction.add', message_id: m1.id, reaction_type: 'like' });
    await a.ok({ type: 'reaction.add', message_id: m1.id, reaction_type: 'love' });
    await b.ok({ type: 'reaction.remove', message_id: m1.id, reaction_type: 'like' });
    expect((await alice!.post(`/v1/messages/${m2.id}/reactions`, { type: 'wow' })).status).toBe(201);
    expect((await alice!.delete(`/v1/messages/${m2.id}/reactions/wow`)).status).toBe(200);
    expect((await alice!.post(`/v1/messages/${m3.id}/pin`)).status).toBe(200);
    await b.ok({ type: 'read.mark', cid });
    expect((await alice!.post(`${path}/read`, {})).status).toBe(200);
    await a.ok({ type: 'typing.start', cid });
    await a.ok({ type: 'typing.stop', cid });
    await b.ok({ type: 'typing.start', cid }); // left to expire: the server's own typing.stop
    await waitForEvent(a, 'typing.stop', (e) => e.user.id === 'bob', TYPING_TIMEOUT_MS + 10_000);
    expect((await alice!.post(`${path}/members`, { user_ids: ['frank'] })).status).toBe(200);
    expect((await alice!.post(`${path}/members/remove`, { user_ids: ['frank'] })).status).toBe(200);
    expect((await bob!.post(`${path}/mute`)).status).toBe(200);
    expect((await alice!.patch(path, { name: 'The secret room' })).status).toBe(200);
    expect((await alice!.post(`${path}/freeze`)).status).toBe(200);
    expect((await alice!.post(`${path}/unfreeze`)).status).toBe(200);
    await a.ok({ type: 'message.delete', message_id: m2.id });

    // alice goes offline and comes back: bob hears both, nobody else does.
    a.close();
    await a.waitForClose();
    await waitForEvent(b, 'user.presence.changed', (e) => e.user.id === 'alice' && !e.user.online);
    const a2 = await t.connect('alice');
    await waitForEvent(b, 'user.presence.changed', (e) => e.user.id === 'alice' && e.user.online);
    await a2.ok({ type: 'channel.watch', cid });

    expect((await alice!.post(`${path}/truncate`)).status).toBe(200);
    expect((await alice!.delete(path)).status).toBe(200);
    await waitForEvent(b, 'channel.deleted');

    // bob, the control, saw every kind. (Watcher counts are coalesced to one a second, so this
    // short test may end before one is due; ws-watchers.test.ts covers them.)
    const kinds = meaningful(b.events).filter((e) => e.type !== 'channel.watchers');
    expect(new Set(kinds.map((e) => e.type))).toEqual(
      new Set([
        'connection.ok',
        'message.new',
        'message.updated',
        'message.deleted',
        'reaction.new',
        'reaction.deleted',
        'message.read',
        'typing.start',
        'typing.stop',
        'member.added',
        'member.removed',
        'member.updated',
        'channel.updated',
        'channel.truncated',
        'channel.deleted',
        'user.presence.changed',
      ]),
    );

    // Barriers: an event of their own reaches each of the others after all of the above.
    const carolMark = await send(carol!, carolRoom, 'carol barrier');
    await waitForEvent(c, 'message.new', (e) => e.message.id === carolMark.id);
    const daveMark = await send(t.server, daveRoom, 'dave barrier', { user_id: 'gina' });
    await waitForEvent(d, 'message.new', (e) => e.message.id === daveMark.id);
    const eveMark = await send(otherAlice!, SECRET, 'app B barrier');
    await waitForEvent(eve, 'message.new', (e) => e.message.id === eveMark.id);
    await sleep(SETTLE_MS);

    expect(mentioning(c.events, cid, ids)).toEqual([]);
    expect(mentioning(d.events, cid, ids)).toEqual([]);
    expect(summary(c.events)).toEqual(['connection.ok carol', `message.new ${carolRoom} ${carolMark.id}`]);
    expect(summary(d.events)).toEqual(['connection.ok dave', `message.new ${daveRoom} ${daveMark.id}`]);
    // App B's bob watches a channel with the very same cid: only app B's own message arrives.
    const eveEvents = eve.events.filter((e) => e.type !== 'channel.watchers');
    expect(mentioning(eveEvents, cid, ids)).toEqual(
      meaningful(eve.events).filter((e) => e.type === 'message.new' && e.message.id === eveMark.id),
    );
    expect(summary(eve.events)).toEqual(['connection.ok bob', `message.new ${SECRET} ${eveMark.id}`]);
    // Watcher counts only of their own channels: app B's room has one watcher, app A's two.
    const watchers = (events: ChatEvent[]) => events.filter((e) => e.type === 'channel.watchers');
    expect(watchers(c.events).every((e) => e.cid === carolRoom)).toBe(true);
    expect(watchers(d.events).every((e) => e.cid === daveRoom)).toBe(true);
    expect(watchers(eve.events).every((e) => e.watcher_count === 1)).toBe(true);

    // Nor did app A's activity land in app B's channel log.
    const otherState = await other.server.get(path);
    expect(otherState.body.channel.seq).toBe(otherSeq0 + 1);
    const replay = await eve.ok({ type: 'channel.watch', cid: SECRET, since: 0 });
    expect(replay.recovered).toBe(true);
    expect(replay.events.map((e: ChatEvent) => e.type)).toEqual(['channel.created', 'message.new']);
    expect(mentioning(replay.events, ids)).toEqual([]);
  }, 60_000); // every kind of event, five sockets, two apps: slow on a loaded machine

  it('a removed member stops receiving the channel’s events, on every socket', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice', 'bob');
    const cid = await createChannel(alice!, 'club', ['bob']);
    const lobby = await createChannel(alice!, 'lobby', ['bob']);
    const a = await t.connect('alice');
    const b1 = await t.connect('bob');
    const b2 = await t.connect('bob');
    await a.ok({ type: 'channel.watch', cid });
    for (const b of [b1, b2]) {
      await b.ok({ type: 'channel.watch', cid });
      await b.ok({ type: 'channel.watch', cid: lobby });
    }

    const before = await sendOver(a, cid, 'still here');
    for (const b of [b1, b2]) await waitForEvent(b, 'message.new', (e) => e.message.id === before.id);

    expect((await alice!.post(`${channelPath(cid)}/members/remove`, { user_ids: ['bob'] })).status).toBe(200);
    // Each socket learns it was removed; that is the last event of the channel it gets.
    for (const b of [b1, b2]) await waitForEvent(b, 'member.removed', (e) => e.user_id === 'bob');
    const seen = [b1.events.length, b2.events.length];

    const after = await sendOver(a, cid, 'gone');
    await a.ok({ type: 'message.update', message_id: before.id, message: { text: 'edited' } });
    await a.ok({ type: 'reaction.add', message_id: before.id, reaction_type: 'like' });
    await a.ok({ type: 'typing.start', cid });
    await a.ok({ type: 'read.mark', cid });
    expect((await alice!.patch(channelPath(cid), { name: 'without bob' })).status).toBe(200);

    const mark = await send(alice!, lobby, 'barrier');
    for (const b of [b1, b2]) await waitForEvent(b, 'message.new', (e) => e.message.id === mark.id);
    await sleep(SETTLE_MS);
    const ids = [before.id, after.id];
    expect(mentioning(b1.events.slice(seen[0]), cid, ids)).toEqual([]);
    expect(mentioning(b2.events.slice(seen[1]), cid, ids)).toEqual([]);

    // And the channel is gone for bob.
    const rewatch = await b2.request({ type: 'channel.watch', cid });
    expect(rewatch).toMatchObject({ type: 'error', error: { code: 'not_found' } });
  });

  it('a banned member stops receiving the channel’s events', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice', 'bob', 'carol');
    const cid = await createChannel(alice!, 'moderated', ['bob', 'carol']);
    const a = await t.connect('alice');
    const b = await t.connect('bob');
    const c = await t.connect('carol');
    for (const client of [a, b, c]) await client.ok({ type: 'channel.watch', cid });

    expect((await alice!.post(`${channelPath(cid)}/bans`, { user_id: 'bob' })).status).toBe(200);
    const banned = await waitForEvent(b, 'member.updated', (e) => e.member.user_id === 'bob');
    expect(banned.member.banned).toBe(true);
    const seen = b.events.length;

    const after = await sendOver(a, cid, 'bob cannot see this');
    await a.ok({ type: 'reaction.add', message_id: after.id, reaction_type: 'like' });
    await a.ok({ type: 'typing.start', cid });
    await waitForEvent(c, 'reaction.new', (e) => e.message.id === after.id);
    await sleep(SETTLE_MS);
    expect(mentioning(b.events.slice(seen), cid, [after.id])).toEqual([]);
    expect(eventsOf(b, 'notification.message_new')).toEqual([]);

    const rewatch = await b.request({ type: 'channel.watch', cid });
    expect(rewatch).toMatchObject({ type: 'error', error: { code: 'user_banned' } });
  });

  it('a livestream channel can be watched by a non-member of the app, not by another app', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice', 'carol');
    const created = await alice!.post('/v1/channels', { type: 'livestream', id: 'show', members: [] });
    expect(created.status).toBe(201);
    const cid = 'livestream:show';
    const c = await t.connect('carol');
    const watched = await c.ok({ type: 'channel.watch', cid });
    expect(watched.state.membership).toBeNull();

    const a = await t.connect('alice');
    await a.ok({ type: 'channel.watch', cid });
    const sent = await sendOver(a, cid, 'welcome to the show');
    await waitForEvent(c, 'message.new', (e) => e.message.id === sent.id);
    // Watching is not membership: no posting.
    const post = await c.request({
      type: 'message.send',
      cid,
      message: { client_msg_id: clientId(), text: 'hi' },
    });
    expect(post).toMatchObject({ type: 'error', error: { code: 'forbidden' } });

    const other = await appOn(server);
    await other.users('carol');
    const outsider = await other.connect('carol');
    const refused = await outsider.request({ type: 'channel.watch', cid });
    expect(refused).toMatchObject({ type: 'error', error: { code: 'not_found' } });
    await sendOver(a, cid, 'again');
    await sleep(SETTLE_MS);
    expect(summary(outsider.events)).toEqual(['connection.ok carol']);
  });
});
