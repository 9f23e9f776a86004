import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChatServer, createChatServer } from '../src/startup/server';
import { clientId } from './api';
import { getTestStore } from './harness';
import { channelPath, createChannel, send } from './rest-helpers';
import type { WsClient } from './ws-client';
import { appOn, closeSockets, eventsOf, sleep, waitForEvent } from './ws-fixtures';

/**
 * Two users chatting over sockets: every request frame, the events it produces at the other end,
 * typing (relay, throttle, expiry), presence (with its grace period) and notifications.
 */

const TYPING_TIMEOUT_MS = 3_000;
const TYPING_THROTTLE_MS = 1_000;
const PRESENCE_GRACE_MS = 2_000;
const PRESENCE_MAX_CHANNEL_MEMBERS = 3;
/** setTimeout may fire a millisecond or so before Date.now() says the delay has passed. */
const CLOCK_SLACK_MS = 50;

let server: ChatServer;
beforeAll(async () => {
  server = await createChatServer({
    store: await getTestStore(),
    port: 0,
    seedDemo: false,
    logLevel: 'silent',
    realtime: {
      typingTimeoutMs: TYPING_TIMEOUT_MS,
      typingThrottleMs: TYPING_THROTTLE_MS,
      presenceGraceMs: PRESENCE_GRACE_MS,
      presenceMaxChannelMembers: PRESENCE_MAX_CHANNEL_MEMBERS,
    },
  });
});
afterAll(() => server?.close());
afterEach(closeSockets);

/** alice and bob in `messaging:chat`, both connected and watching it. */
async function chat() {
  const app = await appOn(server);
  const [alice, bob] = await app.users('alice', 'bob');
  const cid = await createChannel(alice!, 'chat', ['bob']);
  const a = await app.connect('alice');
  const b = await app.connect('bob');
  const watched = await a.ok({ type: 'channel.watch', cid });
  await b.ok({ type: 'channel.watch', cid });
  return { t: app, alice: alice!, bob: bob!, cid, a, b, seq0: watched.state.channel.seq as number };
}

const sendOver = async (client: WsClient, cid: string, text: string) =>
  (await client.ok({ type: 'message.send', cid, message: { client_msg_id: clientId(), text } })).message;

/**
 * Resolves once `client` received a message that `sender` sends now: every event published
 * before it has reached `client` too (one bus, in order, one socket, in order).
 */
async function barrier(sender: WsClient, client: WsClient, cid: string): Promise<void> {
  const message = await sendOver(sender, cid, 'barrier');
  await waitForEvent(client, 'message.new', (e) => e.message.id === message.id);
}

describe('messages over sockets', () => {
  it('send: the ack carries the stored message; the other watcher gets message.new with its id and seq', async () => {
    const { alice, cid, a, b, seq0 } = await chat();
    const clientMsgId = clientId();
    const ack = await a.ok({
      type: 'message.send',
      cid,
      message: { client_msg_id: clientMsgId, text: 'hello bob' },
    });
    expect(ack.message).toMatchObject({
      cid,
      text: 'hello bob',
      user_id: 'alice',
      client_msg_id: clientMsgId,
      type: 'regular',
      seq: seq0 + 1,
    });
    const stored = await alice.get(`/v1/messages/${ack.message.id}`);
    expect(stored.status).toBe(200);
    expect(stored.body.message).toEqual(ack.message);

    const received = await waitForEvent(b, 'message.new', (e) => e.message.id === ack.message.id);
    expect(received).toMatchObject({ cid, seq: seq0 + 1 });
    expect(received.message).toEqual(ack.message);
    expect((await alice.get(channelPath(cid))).body.channel.seq).toBe(seq0 + 1);

    // Sending it again (a retry) returns the stored message and produces no second event.
    const retry = await a.ok({
      type: 'message.send',
      cid,
      message: { client_msg_id: clientMsgId, text: 'hello bob' },
    });
    expect(retry.message).toEqual(ack.message);
    await barrier(a, b, cid);
    expect(eventsOf(b, 'message.new').filter((e) => e.message.id === ack.message.id)).toHaveLength(1);
    expect((await alice.get(channelPath(cid))).body.channel.seq).toBe(seq0 + 2);
  });

  it('a message sent over REST reaches the socket watchers', async () => {
    const { t, alice, cid, a, b, seq0 } = await chat();
    const viaRest = await send(alice, cid, 'over rest');
    const atBob = await waitForEvent(b, 'message.new', (e) => e.message.id === viaRest.id);
    expect(atBob).toMatchObject({ cid, seq: seq0 + 1, message: { text: 'over rest', user_id: 'alice' } });
    await waitForEvent(a, 'message.new', (e) => e.message.id === viaRest.id);

    const serverSide = await send(t.server, cid, 'from the backend', { user_id: 'bob' });
    const atAlice = await waitForEvent(a, 'message.new', (e) => e.message.id === serverSide.id);
    expect(atAlice).toMatchObject({ seq: seq0 + 2, message: { user_id: 'bob', text: 'from the backend' } });
  });

  it('edit and delete reach the other watcher as message.updated and message.deleted', async () => {
    const { cid, a, b, seq0 } = await chat();
    const sent = await sendOver(a, cid, 'tpyo');
    await waitForEvent(b, 'message.new', (e) => e.message.id === sent.id);

    const edited = (await a.ok({ type: 'message.update', message_id: sent.id, message: { text: 'typo' } }))
      .message;
    expect(edited).toMatchObject({ id: sent.id, text: 'typo', seq: sent.seq });
    expect(edited.edited_at).not.toBeNull();
    const updated = await waitForEvent(b, 'message.updated', (e) => e.message.id === sent.id);
    expect(updated).toMatchObject({ cid, seq: seq0 + 2 });
    expect(updated.message).toEqual(edited);

    const deleted = (await a.ok({ type: 'message.delete', message_id: sent.id })).message;
    expect(deleted).toMatchObject({ id: sent.id, type: 'deleted', text: '' });
    expect(deleted.deleted_at).not.toBeNull();
    const gone = await waitForEvent(b, 'message.deleted', (e) => e.message.id === sent.id);
    expect(gone).toMatchObject({ cid, seq: seq0 + 3 });
    expect(gone.message).toEqual(deleted);

    // Only the author edits; and nobody edits a deleted message.
    const other = await sendOver(a, cid, 'mine');
    const refused = await b.request({ type: 'message.update', message_id: other.id, message: { text: 'x' } });
    expect(refused).toMatchObject({ type: 'error', error: { code: 'forbidden' } });
    const late = await a.request({ type: 'message.update', message_id: sent.id, message: { text: 'x' } });
    expect(late).toMatchObject({ type: 'error', error: { code: 'conflict' } });
  });

  it('reactions add and remove reach the other watcher with the counts', async () => {
    const { cid, a, b } = await chat();
    const sent = await sendOver(a, cid, 'react to me');

    const bobLikes = (await b.ok({ type: 'reaction.add', message_id: sent.id, reaction_type: 'like' }))
      .message;
    expect(bobLikes).toMatchObject({ reaction_counts: { like: 1 }, own_reactions: ['like'] });
    const first = await waitForEvent(a, 'reaction.new', (e) => e.message.id === sent.id);
    expect(first).toMatchObject({
      cid,
      seq: sent.seq + 1,
      reaction: { type: 'like', user_id: 'bob' },
      message: { reaction_counts: { like: 1 } },
    });

    await a.ok({ type: 'reaction.add', message_id: sent.id, reaction_type: 'like' });
    const second = await waitForEvent(b, 'reaction.new', (e) => e.reaction.user_id === 'alice');
    expect(second).toMatchObject({ seq: sent.seq + 2, message: { reaction_counts: { like: 2 } } });

    // Adding it again changes nothing and produces no event.
    const repeat = (await b.ok({ type: 'reaction.add', message_id: sent.id, reaction_type: 'like' })).message;
    expect(repeat.reaction_counts).toEqual({ like: 2 });

    const removed = (await b.ok({ type: 'reaction.remove', message_id: sent.id, reaction_type: 'like' }))
      .message;
    expect(removed).toMatchObject({ reaction_counts: { like: 1 }, own_reactions: [] });
    const deleted = await waitForEvent(a, 'reaction.deleted', (e) => e.message.id === sent.id);
    expect(deleted).toMatchObject({
      cid,
      seq: sent.seq + 3,
      reaction: { type: 'like', user_id: 'bob' },
      message: { reaction_counts: { like: 1 } },
    });
    expect(eventsOf(a, 'reaction.new').filter((e) => e.message.id === sent.id)).toHaveLength(2);
  });

  it('read.mark: the other watcher gets message.read, and unread counts follow', async () => {
    const t = await appOn(server);
    const [alice, bob] = await t.users('alice', 'bob');
    const cid = await createChannel(alice!, 'reads', ['bob']);
    const sent: any[] = [];
    for (const text of ['one', 'two', 'three']) sent.push(await send(alice!, cid, text));

    const a = await t.connect('alice');
    await a.ok({ type: 'channel.watch', cid });
    const b = await t.connect('bob');
    const hello = b.events.find((e) => e.type === 'connection.ok');
    expect(hello).toMatchObject({
      user: { id: 'bob', name: 'BOB', online: true },
      unread: { total_unread_count: 3, channels: [{ cid, unread_count: 3 }] },
    });
    await b.ok({ type: 'channel.watch', cid });

    const partly = await b.ok({ type: 'read.mark', cid, message_id: sent[1].id });
    expect(partly.read).toMatchObject({ user_id: 'bob', last_read_message_id: sent[1].id, unread_count: 1 });
    const seen = await waitForEvent(a, 'message.read', (e) => e.user.id === 'bob');
    expect(seen).toMatchObject({ cid, last_read_message_id: sent[1].id, user: { id: 'bob' } });
    expect((await bob!.get('/v1/unread')).body).toEqual({
      total_unread_count: 1,
      channels: [{ cid, unread_count: 1, muted: false }],
    });

    const all = await b.ok({ type: 'read.mark', cid });
    expect(all.read).toMatchObject({ last_read_message_id: sent[2].id, unread_count: 0 });
    await waitForEvent(a, 'message.read', (e) => e.last_read_message_id === sent[2].id);
    expect((await bob!.get('/v1/unread')).body).toEqual({ total_unread_count: 0, channels: [] });
    const reads = (await alice!.get(`${channelPath(cid)}/read`)).body.read;
    expect(reads.find((r: { user_id: string }) => r.user_id === 'bob')).toMatchObject({
      last_read_message_id: sent[2].id,
      unread_count: 0,
    });
  });

  it('ping answers with an ack', async () => {
    const t = await appOn(server);
    await t.users('alice');
    const a = await t.connect('alice');
    const reply = await a.request({ type: 'ping' });
    expect(reply).toMatchObject({ type: 'ack', result: {} });
  });
});

describe('typing', () => {
  it('typing.start and typing.stop go to the other watcher, never back to the typist', async () => {
    const { cid, a, b } = await chat();
    expect(await a.ok({ type: 'typing.start', cid })).toEqual({});
    const start = await waitForEvent(b, 'typing.start');
    expect(start).toMatchObject({ cid, user: { id: 'alice' }, parent_id: null });
    await a.ok({ type: 'typing.stop', cid });
    const stop = await waitForEvent(b, 'typing.stop');
    expect(stop).toMatchObject({ cid, user: { id: 'alice' }, parent_id: null });

    await barrier(b, a, cid);
    expect(eventsOf(a, 'typing.start')).toEqual([]);
    expect(eventsOf(a, 'typing.stop')).toEqual([]);

    // A stop without a start has nothing to relay.
    await a.ok({ type: 'typing.stop', cid });
    await barrier(a, b, cid);
    expect(eventsOf(b, 'typing.stop')).toHaveLength(1);
  });

  it('a start not refreshed within the typing timeout expires into a typing.stop from the server', async () => {
    const { cid, a, b } = await chat();
    const startedAt = Date.now();
    await a.ok({ type: 'typing.start', cid });
    await waitForEvent(b, 'typing.start');
    const stop = await waitForEvent(b, 'typing.stop', () => true, TYPING_TIMEOUT_MS + 15_000);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(TYPING_TIMEOUT_MS - CLOCK_SLACK_MS);
    expect(stop).toMatchObject({ cid, user: { id: 'alice' } });
    expect(eventsOf(b, 'typing.stop')).toHaveLength(1);
  });

  it('repeated starts are relayed once per throttle window', async () => {
    const { cid, a, b } = await chat();
    const startsAtBob = () => eventsOf(b, 'typing.start').length;
    // A burst of keystrokes: one relay.
    await Promise.all(Array.from({ length: 5 }, () => a.ok({ type: 'typing.start', cid })));
    await barrier(a, b, cid);
    expect(startsAtBob()).toBe(1);

    // Past the throttle window, still typing (within the timeout): relayed again, once.
    await sleep(TYPING_THROTTLE_MS + 200);
    await Promise.all(Array.from({ length: 3 }, () => a.ok({ type: 'typing.start', cid })));
    await barrier(a, b, cid);
    expect(startsAtBob()).toBe(2);
    expect(eventsOf(b, 'typing.stop')).toHaveLength(0);

    await a.ok({ type: 'typing.stop', cid });
    await waitForEvent(b, 'typing.stop');
  });
});

describe('presence', () => {
  it('online when a channel mate connects; offline only after the grace period; app_users follows', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice', 'bob');
    await createChannel(alice!, 'presence', ['bob']);
    const a = await t.connect('alice');
    const userRow = () =>
      server.store.db
        .selectFrom('app_users')
        .select(['is_online', 'last_active_at'])
        .where('app_id', '=', t.app.id)
        .where('external_id', '=', 'bob')
        .executeTakeFirstOrThrow();
    expect((await userRow()).is_online).toBe(false);

    const b = await t.connect('bob');
    const online = await waitForEvent(a, 'user.presence.changed', (e) => e.user.id === 'bob');
    expect(online.user).toMatchObject({ id: 'bob', online: true });
    const whileOnline = await userRow();
    expect(whileOnline.is_online).toBe(true);
    expect(whileOnline.last_active_at).not.toBeNull();

    b.close();
    await b.waitForClose();
    const closedAt = Date.now();
    const offline = await waitForEvent(
      a,
      'user.presence.changed',
      (e) => e.user.id === 'bob' && !e.user.online,
      PRESENCE_GRACE_MS + 15_000,
    );
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(PRESENCE_GRACE_MS - CLOCK_SLACK_MS);
    expect(offline.user).toMatchObject({ id: 'bob', online: false });
    const afterOffline = await userRow();
    expect(afterOffline.is_online).toBe(false);
    expect(new Date(afterOffline.last_active_at!).getTime()).toBeGreaterThanOrEqual(
      new Date(whileOnline.last_active_at!).getTime(),
    );
    // Each announcement carries the row's time: clients order what they hear by it.
    expect(online.user.last_active_at).toBe(new Date(whileOnline.last_active_at!).toISOString());
    expect(offline.user.last_active_at).toBe(new Date(afterOffline.last_active_at!).toISOString());
    expect(Date.parse(offline.user.last_active_at!)).toBeGreaterThan(Date.parse(online.user.last_active_at!));
    // alice never hears about herself.
    expect(eventsOf(a, 'user.presence.changed').filter((e) => e.user.id === 'alice')).toEqual([]);
  });

  it('a reconnect within the grace period does not flap to offline', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice', 'bob');
    await createChannel(alice!, 'flap', ['bob']);
    const a = await t.connect('alice');
    const b = await t.connect('bob');
    await waitForEvent(a, 'user.presence.changed', (e) => e.user.id === 'bob' && e.user.online);

    b.close();
    await b.waitForClose();
    await t.connect('bob');
    await sleep(PRESENCE_GRACE_MS + 1_500);
    const bobChanges = eventsOf(a, 'user.presence.changed').filter((e) => e.user.id === 'bob');
    expect(bobChanges.map((e) => e.user.online)).toEqual([true]);
    const row = await server.store.db
      .selectFrom('app_users')
      .select('is_online')
      .where('app_id', '=', t.app.id)
      .where('external_id', '=', 'bob')
      .executeTakeFirstOrThrow();
    expect(row.is_online).toBe(true);
  });
});

describe('presence audience', () => {
  it('goes to connected co-members, once each, but not through channels over the size limit', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice', 'bob', 'carol', 'dave');
    // alice shares two small channels with bob (one announcement, not two) and only a crowd
    // (4 members, over the limit of 3) with carol and dave.
    await createChannel(alice!, 'pair', ['bob']);
    await createChannel(alice!, 'pair-again', ['bob']);
    await createChannel(alice!, 'crowd', ['bob', 'carol', 'dave']);
    const a = await t.connect('alice');
    await t.connect('carol');
    await t.connect('bob');
    await waitForEvent(a, 'user.presence.changed', (e) => e.user.id === 'bob' && e.user.online);
    // Presence goes out in connect order on one node: carol's would have arrived before bob's.
    await sleep(200);
    const heard = eventsOf(a, 'user.presence.changed').map((e) => e.user.id);
    expect(heard).toEqual(['bob']);
  });
});

describe('presence with several sockets', () => {
  it('a user stays online until the last of their sockets closes', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice', 'bob');
    await createChannel(alice!, 'devices', ['bob']);
    const a = await t.connect('alice');
    const phone = await t.connect('bob');
    const laptop = await t.connect('bob');
    await waitForEvent(a, 'user.presence.changed', (e) => e.user.id === 'bob');

    phone.close();
    await phone.waitForClose();
    await sleep(PRESENCE_GRACE_MS + 1_500);
    const bobChanges = () => eventsOf(a, 'user.presence.changed').filter((e) => e.user.id === 'bob');
    expect(bobChanges().map((e) => e.user.online)).toEqual([true]);

    laptop.close();
    await laptop.waitForClose();
    await waitForEvent(
      a,
      'user.presence.changed',
      (e) => e.user.id === 'bob' && !e.user.online,
      PRESENCE_GRACE_MS + 15_000,
    );
    expect(bobChanges().map((e) => e.user.online)).toEqual([true, false]);
  });
});

describe('notifications', () => {
  it('a member who does not watch the channel gets notification.message_new with unread counts', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice', 'bob', 'carol');
    const cid = await createChannel(alice!, 'notify', ['bob', 'carol']);
    const a = await t.connect('alice');
    const b = await t.connect('bob');
    const c = await t.connect('carol');
    await a.ok({ type: 'channel.watch', cid });
    await b.ok({ type: 'channel.watch', cid });

    const first = await sendOver(a, cid, 'first');
    const note = await waitForEvent(c, 'notification.message_new', (e) => e.message.id === first.id);
    expect(note).toMatchObject({
      cid,
      seq: first.seq,
      unread_count: 1,
      total_unread_count: 1,
      message: { id: first.id, text: 'first' },
    });
    const second = await send(alice!, cid, 'second');
    const next = await waitForEvent(c, 'notification.message_new', (e) => e.message.id === second.id);
    expect(next).toMatchObject({ unread_count: 2, total_unread_count: 2 });

    // The watchers get message.new instead; carol gets no message.new while not watching.
    await waitForEvent(b, 'message.new', (e) => e.message.id === second.id);
    expect(eventsOf(b, 'notification.message_new')).toEqual([]);
    expect(eventsOf(c, 'message.new')).toEqual([]);
  });

  it('a member added after a message is notified of the next one; a removed one is not', async () => {
    const { t, alice, cid, a } = await chat();
    await t.users('dave');
    const d = await t.connect('dave');
    // The first message makes each node load the channel's members (without dave).
    await sendOver(a, cid, 'before dave');
    expect((await alice.post(`${channelPath(cid)}/members`, { user_ids: ['dave'] })).status).toBe(200);
    const welcome = await sendOver(a, cid, 'welcome dave');
    const note = await waitForEvent(d, 'notification.message_new', (e) => e.message.id === welcome.id);
    expect(note).toMatchObject({ cid, unread_count: 1, total_unread_count: 1 });

    expect((await alice.post(`${channelPath(cid)}/members/remove`, { user_ids: ['dave'] })).status).toBe(200);
    await sendOver(a, cid, 'dave left');
    // A barrier: a message in another channel of dave's, sent after, reaches dave after it.
    const other = await createChannel(alice, 'with-dave', ['dave']);
    const later = await send(alice, other, 'elsewhere');
    await waitForEvent(d, 'notification.message_new', (e) => e.message.id === later.id);
    expect(eventsOf(d, 'notification.message_new').map((e) => e.message.id)).toEqual([welcome.id, later.id]);
  });

  it('a muted channel still notifies its own count, but leaves it out of the total', async () => {
    const t = await appOn(server);
    const [alice, bob] = await t.users('alice', 'bob');
    const loud = await createChannel(alice!, 'loud', ['bob']);
    const quiet = await createChannel(alice!, 'quiet', ['bob']);
    expect((await bob!.post(`${channelPath(quiet)}/mute`)).status).toBe(200);
    const b = await t.connect('bob');
    const first = await send(alice!, loud, 'one');
    await waitForEvent(b, 'notification.message_new', (e) => e.message.id === first.id);
    const hushed = await send(alice!, quiet, 'two');
    const note = await waitForEvent(b, 'notification.message_new', (e) => e.message.id === hushed.id);
    expect(note).toMatchObject({ cid: quiet, unread_count: 1, total_unread_count: 1 });
    const after = await send(alice!, loud, 'three');
    expect(await waitForEvent(b, 'notification.message_new', (e) => e.message.id === after.id)).toMatchObject(
      {
        unread_count: 2,
        total_unread_count: 2,
      },
    );
  });

  it('after channel.unwatch, message.new stops and notification.message_new takes over', async () => {
    const { alice, cid, a, b } = await chat();
    expect(await b.ok({ type: 'channel.unwatch', cid })).toEqual({});
    const sent = await sendOver(a, cid, 'are you there?');
    const note = await waitForEvent(b, 'notification.message_new', (e) => e.message.id === sent.id);
    expect(note).toMatchObject({ cid, unread_count: 1, total_unread_count: 1 });
    expect(eventsOf(b, 'message.new').filter((e) => e.message.id === sent.id)).toEqual([]);

    // Watching again: message.new, and no more notifications for this channel.
    await b.ok({ type: 'channel.watch', cid });
    const next = await send(alice, cid, 'now?');
    await waitForEvent(b, 'message.new', (e) => e.message.id === next.id);
    const other = await createChannel(alice, 'elsewhere', ['bob']);
    const elsewhere = await send(alice, other, 'elsewhere');
    await waitForEvent(b, 'notification.message_new', (e) => e.message.id === elsewhere.id);
    expect(eventsOf(b, 'notification.message_new').map((e) => e.message.id)).toEqual([sent.id, elsewhere.id]);
  });

  it('notification.added_to_channel reaches a user added to a channel', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice', 'bob', 'dave');
    const cid = await createChannel(alice!, 'added', ['bob']);
    const d = await t.connect('dave');

    const added = await alice!.post(`${channelPath(cid)}/members`, { user_ids: ['dave'] });
    expect(added.status).toBe(200);
    const note = await waitForEvent(d, 'notification.added_to_channel');
    expect(note).toMatchObject({
      cid,
      channel: { cid, member_count: 3 },
      member: { user_id: 'dave', role: 'member' },
    });
    // The first members, named, so dave's client can name a channel without a name.
    expect(note.members?.map((m) => [m.user_id, m.user.name]).sort()).toEqual([
      ['alice', 'ALICE'],
      ['bob', 'BOB'],
      ['dave', 'DAVE'],
    ]);

    // Now a member, dave may watch it.
    const watched = await d.ok({ type: 'channel.watch', cid });
    expect(watched.state.membership).toMatchObject({ user_id: 'dave' });

    // Being made a member of a new channel notifies too.
    const other = await createChannel(alice!, 'fresh', ['dave']);
    const second = await waitForEvent(d, 'notification.added_to_channel', (e) => e.cid === other);
    expect(second.member).toMatchObject({ user_id: 'dave' });
    expect(second.members?.map((m) => m.user_id).sort()).toEqual(['alice', 'dave']);

    // A channel of many members: the first five.
    const crowd = Array.from({ length: 8 }, (_, i) => `crowd${i}`);
    await t.users(...crowd);
    const big = await createChannel(alice!, 'crowded', [...crowd, 'dave']);
    const third = await waitForEvent(d, 'notification.added_to_channel', (e) => e.cid === big);
    expect(third.members).toHaveLength(5);
  });
});
