import { randomBytes } from 'node:crypto';
import { type ChannelEvent, type ChatEvent, CLOSE_CODES, isChannelEvent } from '@chat/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createUserToken } from '../src/domain/auth/index';
import type { ChatServer } from '../src/startup/server';
import { type Api, clientId, startTestServer, testAppOn } from './api';
import { channelPath, createChannel, expectError, send } from './rest-helpers';
import { twoNodesRun, useTwoNodes } from './two-nodes';
import { WsClient } from './ws-client';
import { appOn, closeSockets, type WsTestApp, waitForEvent } from './ws-fixtures';

/**
 * App-wide bans, shadow bans and timeouts: a banned user cannot connect, call the API or
 * keep a live socket (on any node) until the ban expires or is lifted; a shadow-banned user's
 * messages are seen by that user alone, live, in pages, search and replays, on every node, while
 * the others' clients advance past the hidden seqs instead of resyncing for ever; a timed-out user
 * cannot send, react or edit.
 */

let server: ChatServer;
beforeAll(async () => {
  server = await startTestServer({ realtime: { writes: { points: 10_000, durationSeconds: 10 } } });
});
afterAll(() => server?.close());
afterEach(closeSockets);

/** A `messaging:<id>` channel of alice, bob and carol; `mod` is an app admin. */
async function room(t: WsTestApp, id = 'room') {
  const [alice, bob, carol] = await t.users('alice', 'bob', 'carol');
  expect((await t.server.post('/v1/users', { users: [{ id: 'mod', role: 'admin' }] })).status).toBe(200);
  const mod = await t.user('mod');
  const cid = await createChannel(alice!, id, ['bob', 'carol']);
  return { alice: alice!, bob: bob!, carol: carol!, mod, cid, path: channelPath(cid) };
}

/** Rejects unless the seqs of `events` follow `from` one by one: what a client applies without a resync. */
function expectGapFree(events: ChatEvent[], cid: string, from: number): ChannelEvent[] {
  const seqs = events
    .filter((e): e is ChannelEvent => isChannelEvent(e) && e.cid === cid && e.type !== 'channel.watchers')
    .filter((e) => e.type !== 'typing.start' && e.type !== 'typing.stop');
  expect(seqs.map((e) => e.seq)).toEqual(seqs.map((_, i) => from + 1 + i));
  return seqs;
}

const texts = async (api: Api, path: string): Promise<string[]> => {
  const reply = await api.get(`${path}/messages`);
  expect(reply.status).toBe(200);
  return reply.body.messages.map((m: { text: string }) => m.text);
};

describe('app-wide ban', () => {
  it('closes the live socket at once, refuses a new one, every request and is lifted by unban', async () => {
    const t = await appOn(server);
    const { carol, mod } = await room(t);
    const socket = await t.connect('carol');
    const banned = await mod.post('/v1/users/carol/ban', { reason: 'spam' });
    expect(banned.status).toBe(200);
    expect(banned.body.standing).toMatchObject({
      user_id: 'carol',
      banned: true,
      ban_expires_at: null,
      ban_reason: 'spam',
    });
    await waitForEvent(socket, 'user.banned', (e) => e.reason === 'spam');
    expect(await socket.waitForClose()).toBe(CLOSE_CODES.APP_BANNED);

    const again = await WsClient.open(server.wsUrl, t.app.api_key);
    const reply = await again.request({
      type: 'auth',
      token: await createUserToken(t.app.api_secret, 'carol'),
    });
    expect(reply.type === 'error' && reply.error.code).toBe('app_banned');
    expect(await again.waitForClose()).toBe(CLOSE_CODES.APP_BANNED);
    expectError(await carol.get('/v1/users/me'), 403, 'app_banned');

    // Recorded in the audit log, visible to the moderator.
    expect((await mod.get('/v1/users/carol/standing')).body.standing.banned).toBe(true);
    const unbanned = await mod.delete('/v1/users/carol/ban');
    expect(unbanned.body.standing.banned).toBe(false);
    expect((await carol.get('/v1/users/me')).status).toBe(200);
    await t.connect('carol');
  });

  it('refuses a password login (after the password is checked) and a refresh, until lifted', async () => {
    const base = await testAppOn(server, { allow_registration: true });
    const password = 'correct horse battery';
    const username = `banned-${randomBytes(4).toString('hex')}`;
    const registered = await base.anonymous.post('/v1/auth/register', { username, password });
    expect(registered.status).toBe(201);
    expect((await base.server.post(`/v1/users/${username}/ban`, { reason: 'spam' })).status).toBe(200);
    expectError(await base.anonymous.post('/v1/auth/login', { username, password }), 403, 'app_banned');
    // A wrong password says nothing about the ban.
    expectError(
      await base.anonymous.post('/v1/auth/login', { username, password: 'wrong password!' }),
      401,
      'invalid_credentials',
    );
    const refresh = { refresh_token: registered.body.refresh_token };
    expectError(await base.anonymous.post('/v1/auth/refresh', refresh), 403, 'app_banned');
    expect((await base.server.delete(`/v1/users/${username}/ban`)).status).toBe(200);
    expect((await base.anonymous.post('/v1/auth/login', { username, password })).status).toBe(200);
  });

  it('expires by itself: nothing runs, the next request passes', async () => {
    const t = await appOn(server);
    const { carol } = await room(t);
    expect(
      (await t.server.post('/v1/users/carol/ban', { timeout: 1 })).body.standing.ban_expires_at,
    ).not.toBeNull();
    expectError(await carol.get('/v1/users/me'), 403, 'app_banned');
    await expect.poll(async () => (await carol.get('/v1/users/me')).status, { timeout: 10_000 }).toBe(200);
    expect((await t.server.get('/v1/users/carol/standing')).body.standing.banned).toBe(false);
  });

  it('is for app admins and the backend only: a member, a channel creator or the user themselves is refused', async () => {
    const t = await appOn(server);
    const { alice, bob, mod } = await room(t);
    expectError(await alice.post('/v1/users/bob/ban', {}), 403, 'forbidden');
    expectError(await alice.post('/v1/users/bob/ban', { shadow: true }), 403, 'forbidden');
    expectError(await alice.post('/v1/users/bob/timeout', { timeout: 60 }), 403, 'forbidden');
    expectError(await alice.get('/v1/users/bob/standing'), 403, 'forbidden');
    expectError(await mod.post('/v1/users/mod/ban', {}), 400, 'validation_failed');
    expectError(await mod.post('/v1/users/nobody/ban', {}), 404, 'not_found');
    expectError(await mod.post('/v1/users/bob/ban', { timeout: 0 }), 400, 'validation_failed');
    expectError(await mod.post('/v1/users/bob/ban', { forever: true }), 400, 'validation_failed');
    // Nothing changed.
    expect((await bob.get('/v1/users/me')).status).toBe(200);
    expect((await mod.get('/v1/users/bob/standing')).body.standing).toMatchObject({
      banned: false,
      shadow_banned: false,
      timed_out_until: null,
    });
  });
});

describe('shadow ban', () => {
  it("shows the user's messages to the user alone: live, pages, search, unread counts; others advance past the hidden seq", async () => {
    const t = await appOn(server);
    const { alice, bob, carol, mod, cid, path } = await room(t);
    const b = await t.connect('bob');
    const c = await t.connect('carol');
    const { state } = await b.ok({ type: 'channel.watch', cid });
    await c.ok({ type: 'channel.watch', cid });
    expect((await mod.post('/v1/users/carol/ban', { shadow: true })).body.standing.shadow_banned).toBe(true);

    const sent = await c.ok({
      type: 'message.send',
      cid,
      message: { client_msg_id: clientId(), text: 'zebra shadow words' },
    });
    // Carol sees hers as sent, live and in her reads: nothing tells her.
    await waitForEvent(c, 'message.new', (e) => e.message.id === sent.message.id);
    expect(await texts(carol, path)).toEqual(['zebra shadow words']);
    await send(alice, cid, 'after');

    // Bob gets a placeholder with the seq, then alice's message: no gap, nothing of carol's.
    await waitForEvent(b, 'message.new', (e) => e.message.text === 'after');
    const seen = expectGapFree(b.events, cid, state.channel.seq);
    expect(seen.map((e) => e.type)).toEqual(['event.hidden', 'message.new']);
    expect(JSON.stringify(b.frames)).not.toContain('zebra');
    expect(await texts(bob, path)).toEqual(['after']);
    expectError(await bob.get(`/v1/messages/${sent.message.id}`), 404, 'not_found');
    expect((await bob.get('/v1/search?query=zebra')).body.results).toHaveLength(0);
    expect((await carol.get('/v1/search?query=zebra')).body.results).toHaveLength(1);
    const unread = (await (await t.user('alice')).get('/v1/unread')).body;
    expect(unread.total_unread_count).toBe(0); // alice sent 'after'; carol's does not count

    // A resume from before shows bob the placeholder, carol her message, both gap-free.
    const resumedBob = await b.ok({ type: 'channel.watch', cid, since: state.channel.seq });
    expect(resumedBob.recovered).toBe(true);
    expect(expectGapFree(resumedBob.events, cid, state.channel.seq).map((e) => e.type)).toEqual([
      'event.hidden',
      'message.new',
    ]);
    expect(JSON.stringify(resumedBob)).not.toContain('zebra');
    const resumedCarol = await c.ok({ type: 'channel.watch', cid, since: state.channel.seq });
    expect(resumedCarol.events.map((e: ChatEvent) => e.type)).toEqual(['message.new', 'message.new']);
    // A fresh watch does not show it to bob either.
    const fresh = await b.ok({ type: 'channel.watch', cid });
    expect(fresh.state.messages.map((m: { text: string }) => m.text)).toEqual(['after']);

    // Lifted: new messages show again; the shadowed one stays hidden.
    await mod.delete('/v1/users/carol/ban?shadow=true');
    await send(carol, cid, 'visible again');
    expect(await texts(bob, path)).toEqual(['after', 'visible again']);
    // The moderator is told nothing more than the standing.
    expect((await mod.get('/v1/users/carol/standing')).body.standing.shadow_banned).toBe(false);
  });

  it('hides reactions and edits of a shadowed message from the others', async () => {
    const t = await appOn(server);
    const { carol, mod, cid } = await room(t);
    const b = await t.connect('bob');
    const { state } = await b.ok({ type: 'channel.watch', cid });
    await mod.post('/v1/users/carol/ban', { shadow: true });
    const { id } = await send(carol, cid, 'okapi thought');
    expect((await carol.post(`/v1/messages/${id}/reactions`, { type: 'like' })).status).toBe(201);
    expect((await carol.patch(`/v1/messages/${id}`, { text: 'okapi, edited' })).status).toBe(200);
    await send(await t.user('alice'), cid, 'marker');
    await waitForEvent(b, 'message.new', (e) => e.message.text === 'marker');
    const seen = expectGapFree(b.events, cid, state.channel.seq);
    expect(seen.map((e) => e.type)).toEqual(['event.hidden', 'event.hidden', 'event.hidden', 'message.new']);
    expect(JSON.stringify(b.frames)).not.toContain('okapi');
  });
  it('does not relay the typing of a user shadow-banned before connecting (it would tell of messages that never come)', async () => {
    const t = await appOn(server);
    const { mod, cid } = await room(t);
    await mod.post('/v1/users/carol/ban', { shadow: true });
    const b = await t.connect('bob');
    const c = await t.connect('carol');
    await b.ok({ type: 'channel.watch', cid });
    await c.ok({ type: 'channel.watch', cid });
    await c.ok({ type: 'typing.start', cid });
    const a = await t.connect('alice');
    await a.ok({ type: 'channel.watch', cid });
    await a.ok({ type: 'typing.start', cid });
    // Typing is relayed in order: alice's arrives, carol's (sent before it) never did.
    await waitForEvent(b, 'typing.start', (e) => e.user.id === 'alice');
    expect(
      b.events.filter((e) => e.type === 'typing.start').map((e) => (e as { user: { id: string } }).user.id),
    ).toEqual(['alice']);
  });

  it('stops relaying typing at once when the ban is taken mid-connection, resumes when lifted, and tells the user nothing', async () => {
    const t = await appOn(server);
    const { mod, cid } = await room(t);
    const b = await t.connect('bob');
    const c = await t.connect('carol');
    await b.ok({ type: 'channel.watch', cid });
    await c.ok({ type: 'channel.watch', cid });
    await c.ok({ type: 'typing.start', cid });
    await waitForEvent(b, 'typing.start', (e) => e.user.id === 'carol');
    const framesBefore = c.frames.length;
    await mod.post('/v1/users/carol/ban', { shadow: true });
    await c.ok({ type: 'typing.stop', cid });
    await c.ok({ type: 'typing.start', cid });
    const a = await t.connect('alice');
    await a.ok({ type: 'channel.watch', cid });
    await a.ok({ type: 'typing.start', cid });
    await waitForEvent(b, 'typing.start', (e) => e.user.id === 'alice');
    const typists = () =>
      b.events.filter((e) => e.type === 'typing.start').map((e) => (e as { user: { id: string } }).user.id);
    expect(typists()).toEqual(['carol', 'alice']);
    // Carol's socket got the answers to her own frames and nothing else.
    expect(JSON.stringify(c.frames.slice(framesBefore))).not.toMatch(/health\.check|shadow|banned/);
    expect((await mod.delete('/v1/users/carol/ban?shadow=true')).status).toBe(200);
    await c.ok({ type: 'typing.stop', cid });
    await c.ok({ type: 'typing.start', cid });
    await waitForEvent(b, 'typing.start', (e) => e.user.id === 'carol' && typists().length === 3);
  });
});

describe('timeout', () => {
  it('refuses sends, reactions and edits with until, and ends when lifted', async () => {
    const t = await appOn(server);
    const { alice, carol, mod, cid, path } = await room(t);
    const { id: mine } = await send(carol, cid, 'before the timeout');
    const { id: theirs } = await send(alice, cid, 'react to me');
    const timed = await mod.post('/v1/users/carol/timeout', { timeout: 600, reason: 'cool down' });
    expect(timed.status).toBe(200);
    const until = timed.body.standing.timed_out_until;
    expect(new Date(until).getTime()).toBeGreaterThan(Date.now());

    const refused = await carol.post(`${path}/messages`, { client_msg_id: clientId(), text: 'nope' });
    expectError(refused, 403, 'timed_out');
    expect(refused.body.error.details.until).toBe(until);
    expectError(await carol.post(`/v1/messages/${theirs}/reactions`, { type: 'like' }), 403, 'timed_out');
    expectError(await carol.patch(`/v1/messages/${mine}`, { text: 'changed' }), 403, 'timed_out');
    const socket = await t.connect('carol');
    const frame = await socket.request({
      type: 'message.send',
      cid,
      message: { client_msg_id: clientId(), text: 'over the socket' },
    });
    expect(frame.type === 'error' && frame.error.code).toBe('timed_out');
    // Reading still works, and nothing was stored.
    expect(await texts(carol, path)).toEqual(['before the timeout', 'react to me']);

    expect((await mod.delete('/v1/users/carol/timeout')).body.standing.timed_out_until).toBeNull();
    expect((await carol.post(`${path}/messages`, { client_msg_id: clientId(), text: 'back' })).status).toBe(
      201,
    );
  });
});

// Two nodes over Redis: a shadowed message does not cross to the other node's sockets of others,
// and a ban closes the user's sockets on both nodes.
describe.skipIf(!twoNodesRun('app-bans'))('on two nodes', () => {
  const { nodes } = useTwoNodes('bans2');
  const sockets: WsClient[] = [];
  afterAll(() => {
    for (const s of sockets) s.close();
  });
  const connect = async (node: ChatServer, t: WsTestApp, user: string) => {
    const socket = await WsClient.connect(
      node.wsUrl,
      t.app.api_key,
      await createUserToken(t.app.api_secret, user),
    );
    sockets.push(socket);
    return socket;
  };

  it("keeps a shadowed message off the other node's sockets of others, live and in their replay", async () => {
    const [one, two] = nodes as [ChatServer, ChatServer];
    const t = await appOn(one);
    const { alice, mod, cid } = await room(t, 'two-nodes');
    const bobOnTwo = await connect(two, t, 'bob');
    const carolOnTwo = await connect(two, t, 'carol');
    const carolOnOne = await connect(one, t, 'carol');
    const { state } = await bobOnTwo.ok({ type: 'channel.watch', cid });
    await carolOnTwo.ok({ type: 'channel.watch', cid });
    await mod.post('/v1/users/carol/ban', { shadow: true });

    const { message } = await carolOnOne.ok({
      type: 'message.send',
      cid,
      message: { client_msg_id: clientId(), text: 'quagga across nodes' },
    });
    await send(alice, cid, 'after on one');
    // Carol's other device, on the other node, has her message; bob there has a placeholder.
    await waitForEvent(carolOnTwo, 'message.new', (e) => e.message.id === message.id);
    await waitForEvent(bobOnTwo, 'message.new', (e) => e.message.text === 'after on one');
    expect(expectGapFree(bobOnTwo.events, cid, state.channel.seq).map((e) => e.type)).toEqual([
      'event.hidden',
      'message.new',
    ]);
    expect(JSON.stringify(bobOnTwo.frames)).not.toContain('quagga');

    // Bob reconnects to node one and resumes from before: the replay hides it too.
    const bobOnOne = await connect(one, t, 'bob');
    const resumed = await bobOnOne.ok({ type: 'channel.watch', cid, since: state.channel.seq });
    expect(resumed.recovered).toBe(true);
    expect(expectGapFree(resumed.events, cid, state.channel.seq).map((e) => e.type)).toEqual([
      'event.hidden',
      'message.new',
    ]);
    expect(JSON.stringify(resumed)).not.toContain('quagga');
  });

  it("stops relaying the typing of a user shadow-banned through the other node's API", async () => {
    const [one, two] = nodes as [ChatServer, ChatServer];
    const t = await appOn(one);
    const { alice, mod, cid } = await room(t, 'two-nodes-typing');
    const bobOnTwo = await connect(two, t, 'bob');
    const carolOnTwo = await connect(two, t, 'carol');
    const aliceOnTwo = await connect(two, t, 'alice');
    for (const socket of [bobOnTwo, carolOnTwo, aliceOnTwo]) await socket.ok({ type: 'channel.watch', cid });
    await mod.post('/v1/users/carol/ban', { shadow: true });
    // Node two hears of the ban over the bus: wait until a frame published after it arrives there.
    await send(alice, cid, 'after the ban');
    await waitForEvent(bobOnTwo, 'message.new', (e) => e.message.text === 'after the ban');
    await carolOnTwo.ok({ type: 'typing.start', cid });
    await aliceOnTwo.ok({ type: 'typing.start', cid });
    await waitForEvent(bobOnTwo, 'typing.start', (e) => e.user.id === 'alice');
    expect(
      bobOnTwo.events
        .filter((e) => e.type === 'typing.start')
        .map((e) => (e as { user: { id: string } }).user.id),
    ).toEqual(['alice']);
  });

  it("closes the banned user's sockets on both nodes at once", async () => {
    const [one, two] = nodes as [ChatServer, ChatServer];
    const t = await testAppOn(one);
    await t.users('dave');
    const wsApp = { ...t, connect: async () => undefined as never } as WsTestApp;
    const onOne = await connect(one, wsApp, 'dave');
    const onTwo = await connect(two, wsApp, 'dave');
    expect((await t.server.post('/v1/users/dave/ban', { timeout: 3600 })).status).toBe(200);
    expect(await onOne.waitForClose()).toBe(CLOSE_CODES.APP_BANNED);
    expect(await onTwo.waitForClose()).toBe(CLOSE_CODES.APP_BANNED);
    expect(onTwo.events.some((e) => e.type === 'user.banned')).toBe(true);
  });
});
