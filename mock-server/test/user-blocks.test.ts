import type { ChannelEvent, ChatEvent, Message } from '@chat/protocol';
import { isChannelEvent } from '@chat/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatServer } from '../src/startup/server';
import { type Api, clientId, startTestServer } from './api';
import { channelPath, createChannel, expectError, send } from './rest-helpers';
import { appOn, closeSockets, waitForEvent } from './ws-fixtures';

/**
 * Users blocking users: the blocked user's messages are hidden from the blocker
 * wherever the blocker reads (live, pages, search, replays, unread counts, notifications), no
 * direct message goes either way, and the blocked user is told nothing.
 */

let server: ChatServer;
beforeAll(async () => {
  server = await startTestServer({ realtime: { writes: { points: 10_000, durationSeconds: 10 } } });
});
afterAll(() => server?.close());
afterEach(closeSockets);

const texts = async (api: Api, path: string): Promise<string[]> => {
  const reply = await api.get(`${path}/messages`);
  expect(reply.status).toBe(200);
  return reply.body.messages.map((m: { text: string }) => m.text);
};

const seqsOf = (events: ChatEvent[], cid: string): ChannelEvent[] =>
  events.filter(
    (e): e is ChannelEvent => isChannelEvent(e) && e.cid === cid && e.type !== 'channel.watchers',
  );

describe('blocking a user', () => {
  it('is idempotent both ways, listed, bounded to real others, and a user-only act', async () => {
    const t = await appOn(server);
    const [alice, bob] = await t.users('alice', 'bob', 'carol');
    const first = await alice!.post('/v1/users/bob/block', {});
    expect(first.status).toBe(200);
    expect(first.body.block.user.id).toBe('bob');
    const again = await alice!.post('/v1/users/bob/block', {});
    expect(again.body.block.created_at).toBe(first.body.block.created_at);
    await alice!.post('/v1/users/carol/block', {});
    expect(
      (await alice!.get('/v1/users/me/blocks')).body.blocks
        .map((b: { user: { id: string } }) => b.user.id)
        .sort(),
    ).toEqual(['bob', 'carol']);
    // The blocked user sees nothing of it.
    expect((await bob!.get('/v1/users/me/blocks')).body.blocks).toEqual([]);
    expectError(await alice!.post('/v1/users/alice/block', {}), 400, 'validation_failed');
    expectError(await alice!.post('/v1/users/nobody/block', {}), 404, 'not_found');
    expectError(await t.server.post('/v1/users/bob/block', {}), 403, 'forbidden');
    expect((await alice!.delete('/v1/users/bob/block')).status).toBe(200);
    expect((await alice!.delete('/v1/users/bob/block')).status).toBe(200);
    expect(
      (await alice!.get('/v1/users/me/blocks')).body.blocks.map((b: { user: { id: string } }) => b.user.id),
    ).toEqual(['carol']);
  });

  it('stops direct messages both ways: no new conversation, no send into an existing one', async () => {
    const t = await appOn(server);
    const [alice, bob] = await t.users('alice', 'bob');
    const created = await alice!.post('/v1/channels', { type: 'messaging', members: ['alice', 'bob'] });
    expect(created.status).toBe(201);
    const cid = created.body.channel.cid;
    await alice!.post('/v1/users/bob/block', {});
    for (const [from, text] of [
      [alice!, 'from the blocker'],
      [bob!, 'from the blocked'],
    ] as const) {
      const reply = await from.post(`${channelPath(cid)}/messages`, { client_msg_id: clientId(), text });
      expectError(reply, 403, 'user_blocked');
    }
    // Over the socket too.
    const socket = await t.connect('bob');
    const frame = await socket.request({
      type: 'message.send',
      cid,
      message: { client_msg_id: clientId(), text: 'ws' },
    });
    expect(frame.type === 'error' && frame.error.code).toBe('user_blocked');
    // A new distinct conversation (or an explicit one of the two) is refused either way.
    expectError(
      await bob!.post('/v1/channels', { type: 'messaging', members: ['bob', 'alice'] }),
      403,
      'user_blocked',
    );
    expectError(
      await bob!.post('/v1/channels', { type: 'messaging', id: 'dm-2', members: ['alice'] }),
      403,
      'user_blocked',
    );
    expect(await texts(alice!, channelPath(cid))).toEqual([]);
    // Unblocked: they talk again.
    await alice!.delete('/v1/users/bob/block');
    await send(bob!, cid, 'hello again');
  });

  it("hides the blocked user's messages from the blocker in a group, everywhere, while others see them", async () => {
    const t = await appOn(server);
    const [alice, bob, carol] = await t.users('alice', 'bob', 'carol');
    const cid = await createChannel(alice!, 'group', ['bob', 'carol']);
    const path = channelPath(cid);
    await send(carol!, cid, 'walrus before the block');
    await alice!.post('/v1/users/carol/block', {});
    const a = await t.connect('alice');
    const { state } = await a.ok({ type: 'channel.watch', cid });
    expect(state.messages).toEqual([]);
    await send(carol!, cid, 'walrus after the block');
    await send(bob!, cid, 'from bob');
    await waitForEvent(a, 'message.new', (e) => e.message.text === 'from bob');
    const live = seqsOf(a.events, cid);
    expect(live.map((e) => e.seq)).toEqual([state.channel.seq + 1, state.channel.seq + 2]);
    expect(live.map((e) => e.type)).toEqual(['event.hidden', 'message.new']);
    expect(JSON.stringify(a.frames)).not.toContain('walrus');
    expect(await texts(alice!, path)).toEqual(['from bob']);
    expect((await alice!.get('/v1/search?query=walrus')).body.results).toEqual([]);
    expect(await texts(bob!, path)).toEqual([
      'walrus before the block',
      'walrus after the block',
      'from bob',
    ]);
    // Unread counts: only bob's counts for alice.
    expect((await alice!.get('/v1/unread')).body.total_unread_count).toBe(1);
    // A resume from before shows a placeholder in the blocked message's seq.
    const resumed = await a.ok({ type: 'channel.watch', cid, since: state.channel.seq });
    expect(resumed.events.map((e: ChatEvent) => e.type)).toEqual(['event.hidden', 'message.new']);
    // The blocked user still sees everything, and is not told.
    expect(await texts(carol!, path)).toEqual([
      'walrus before the block',
      'walrus after the block',
      'from bob',
    ]);
    // Unblocked: everything shows again, the older ones too.
    await alice!.delete('/v1/users/carol/block');
    expect(await texts(alice!, path)).toEqual([
      'walrus before the block',
      'walrus after the block',
      'from bob',
    ]);
  });

  it('applies to sockets already open, on a block made from another device, and stops notifications', async () => {
    const t = await appOn(server);
    const [alice, bob, carol] = await t.users('alice', 'bob', 'carol');
    const cid = await createChannel(alice!, 'watched', ['bob', 'carol']);
    const other = await createChannel(alice!, 'elsewhere', ['bob', 'carol']);
    const watching = await t.connect('alice');
    const idle = await t.connect('alice');
    const { state } = await watching.ok({ type: 'channel.watch', cid });
    await alice!.post('/v1/users/carol/block', {});
    await waitForEvent(watching, 'user.blocked', (e) => e.user.id === 'carol');
    await waitForEvent(idle, 'user.blocked', (e) => e.user.id === 'carol');
    // In a channel alice does not watch: a notification for bob's message, none for carol's.
    await send(carol!, other, 'narwhal');
    await send(bob!, other, 'marker');
    await waitForEvent(idle, 'notification.message_new', (e) => e.message.text === 'marker');
    // In the channel she watches: a placeholder in carol's seq.
    await send(carol!, cid, 'narwhal again');
    await send(bob!, cid, 'second marker');
    await waitForEvent(watching, 'message.new', (e) => e.message.text === 'second marker');
    expect(JSON.stringify(idle.frames)).not.toContain('narwhal');
    expect(JSON.stringify(watching.frames)).not.toContain('narwhal');
    expect(seqsOf(watching.events, cid).map((e) => [e.type, e.seq])).toEqual([
      ['event.hidden', state.channel.seq + 1],
      ['message.new', state.channel.seq + 2],
    ]);
  });
  it("hides the blocked user's message by id, as a quote, as a parent, and among who reacted", async () => {
    const t = await appOn(server);
    const [alice, bob, carol] = await t.users('alice', 'bob', 'carol');
    const cid = await createChannel(alice!, 'quotes', ['bob', 'carol']);
    const path = channelPath(cid);
    const carols = await send(carol!, cid, 'walrus to quote');
    await bob!.post(`/v1/messages/${carols.id}/reactions`, { type: 'like' });
    await carol!.post(`/v1/messages/${carols.id}/reactions`, { type: 'like' });
    const bobs = await send(bob!, cid, 'a bob message');
    await carol!.post(`/v1/messages/${bobs.id}/reactions`, { type: 'wow' });
    await bob!.post(`/v1/messages/${bobs.id}/reactions`, { type: 'wow' });
    await alice!.post('/v1/users/carol/block', {});
    const a = await t.connect('alice');
    const { state } = await a.ok({ type: 'channel.watch', cid });

    // By id, and every act on it: as if it did not exist.
    expectError(await alice!.get(`/v1/messages/${carols.id}`), 404, 'not_found');
    expectError(await alice!.get(`/v1/messages/${carols.id}/reactions`), 404, 'not_found');
    expectError(await alice!.post(`/v1/messages/${carols.id}/reactions`, { type: 'like' }), 404, 'not_found');
    expectError(await alice!.get(`/v1/messages/${carols.id}/replies`), 404, 'not_found');
    for (const extra of [{ quoted_message_id: carols.id }, { parent_id: carols.id }])
      expectError(
        await alice!.post(`${path}/messages`, { client_msg_id: clientId(), text: 'x', ...extra }),
        400,
        'validation_failed',
      );
    expect((await bob!.get(`/v1/messages/${carols.id}`)).status).toBe(200);
    // Reporting it still works: block, then report, is a common order.
    expect((await alice!.post(`/v1/messages/${carols.id}/report`, { reason: 'harassment' })).status).toBe(
      201,
    );

    // Who reacted leaves carol out for alice; bob sees both.
    const who = async (api: Api) =>
      (await api.get(`/v1/messages/${bobs.id}/reactions`)).body.reactions.map(
        (r: { user: { id: string } }) => r.user.id,
      );
    expect(await who(alice!)).toEqual(['bob']);
    expect((await who(bob!)).sort()).toEqual(['bob', 'carol']);

    // Bob quotes carol: alice sees bob's message quoting nothing, live, in pages, by id, on resume.
    const quoting = await send(bob!, cid, 'bob quotes', { quoted_message_id: carols.id });
    expect(quoting.quoted_message?.text).toBe('walrus to quote');
    const live = await waitForEvent(a, 'message.new', (e) => e.message.id === quoting.id);
    expect(live.message.quoted_message).toBeNull();
    expect(live.message.quoted_message_id).toBe(carols.id);
    const page = (await alice!.get(`${path}/messages`)).body.messages as Message[];
    expect(page.find((m) => m.id === quoting.id)?.quoted_message).toBeNull();
    expect((await alice!.get(`/v1/messages/${quoting.id}`)).body.message.quoted_message).toBeNull();
    const resumed = await a.ok({ type: 'channel.watch', cid, since: state.channel.seq });
    const replayed = resumed.events.find((e: ChatEvent) => e.type === 'message.new');
    expect(replayed.message.quoted_message).toBeNull();
    expect(JSON.stringify(a.frames)).not.toContain('walrus');
    // Bob and carol still see the quote, live and in pages.
    const bobPage = (await bob!.get(`${path}/messages`)).body.messages as Message[];
    expect(bobPage.find((m) => m.id === quoting.id)?.quoted_message?.text).toBe('walrus to quote');

    // Unblocked: the message and the quote come back.
    await alice!.delete('/v1/users/carol/block');
    expect((await alice!.get(`/v1/messages/${carols.id}`)).status).toBe(200);
    expect((await alice!.get(`/v1/messages/${quoting.id}`)).body.message.quoted_message?.text).toBe(
      'walrus to quote',
    );
  });
  it("lets a moderator who blocked a user still remove that user's message (what they were reported for)", async () => {
    const t = await appOn(server);
    const [alice, , carol] = await t.users('alice', 'bob', 'carol');
    const cid = await createChannel(alice!, 'moderated', ['bob', 'carol']);
    const carols = await send(carol!, cid, 'walrus to remove');
    await alice!.post('/v1/users/carol/block', {});
    expectError(await alice!.get(`/v1/messages/${carols.id}`), 404, 'not_found');
    // Alice created the channel: she moderates it, and removes the message she no longer sees.
    const removed = await alice!.delete(`/v1/messages/${carols.id}`);
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    const seen = await carol!.get(`/v1/messages/${carols.id}`);
    expect(seen.body.message).toMatchObject({ type: 'deleted', removed_by_moderator: true });
  });
  it("a notification of a message quoting a blocked user's message comes without the quote", async () => {
    const t = await appOn(server);
    const [alice, bob, carol] = await t.users('alice', 'bob', 'carol');
    const cid = await createChannel(alice!, 'quoted-elsewhere', ['bob', 'carol']);
    const carols = await send(carol!, cid, 'narwhal quoted');
    await alice!.post('/v1/users/carol/block', {});
    // Alice is connected but does not watch the channel: she gets notifications of it.
    const idle = await t.connect('alice');
    await waitForEvent(idle, 'connection.ok');
    const quoting = await send(bob!, cid, 'bob quotes carol', { quoted_message_id: carols.id });
    const notified = await waitForEvent(idle, 'notification.message_new', (e) => e.message.id === quoting.id);
    expect(notified.message.quoted_message).toBeNull();
    expect(JSON.stringify(idle.frames)).not.toContain('narwhal');
  });
});
