import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectClient, startServer, until } from '../../test/e2e-harness';
import type { Channel } from '../channel';
import { ChatClient } from '../client';

let h: Awaited<ReturnType<typeof startServer>>;
let alice: Awaited<ReturnType<typeof connectClient>>;
let bob: Awaited<ReturnType<typeof connectClient>>;
let aliceChannel: Channel;
let bobChannel: Channel;

const texts = (channel: Channel) => channel.state.getSnapshot().messages.map((m) => m.text);

beforeAll(async () => {
  h = await startServer();
  alice = await connectClient(h, 'alice');
  bob = await connectClient(h, 'bob');
}, 60_000);

afterAll(async () => {
  alice?.client.disconnect();
  bob?.client.disconnect();
  await h?.server.close();
});

async function serverMessages(client: ChatClient, channel: Channel) {
  const { messages } = await client.http.request('listMessages', {
    params: { type: channel.type, id: channel.id },
    query: { limit: 100 },
  });
  return messages.filter((m) => m.parent_id === null);
}

describe('two clients chat through the reference server', () => {
  it('connects, creates a channel and watches it on both sides', async () => {
    expect(alice.user.id).toBe('alice');
    expect(alice.client.getUser()?.id).toBe('alice');
    aliceChannel = await alice.client.channels.create({
      type: 'messaging',
      members: ['alice', 'bob'],
      name: 'Trip',
    });
    expect(alice.client.channel(aliceChannel.type, aliceChannel.id)).toBe(aliceChannel);
    expect(alice.client.channels.list.getSnapshot().map((e) => e.cid)).toContain(aliceChannel.cid);
    await aliceChannel.watch();
    const { channels } = await bob.client.channels.query({
      filter: { members: ['bob'] },
      sort: { last_message_at: -1 },
    });
    bobChannel = channels.find((c) => c.cid === aliceChannel.cid) as Channel;
    expect(bobChannel).toBeDefined();
    await bobChannel.watch();
    expect(Object.keys(bobChannel.state.getSnapshot().members).sort()).toEqual(['alice', 'bob']);
  });

  it('sends optimistically, then replaces with the stored message; the other side receives it once', async () => {
    const sending = aliceChannel.sendMessage({ text: 'hi bob' });
    const optimistic = aliceChannel.state.getSnapshot().messages.at(-1);
    expect(optimistic?.status).toBe('sending');
    const sent = await sending;
    expect(sent.status).toBe('sent');
    const mine = aliceChannel.state.getSnapshot().messages;
    expect(mine.filter((m) => m.text === 'hi bob')).toHaveLength(1);
    expect(mine.at(-1)?.id).toBe(sent.id);
    await until(bobChannel.state, (s) => s.messages.some((m) => m.id === sent.id));
    expect(bobChannel.state.getSnapshot().unreadCount).toBe(1);
    expect(texts(bobChannel)).toEqual(['hi bob']);
  });

  it('edits, reacts, deletes, replies in a thread and marks read', async () => {
    const first = aliceChannel.state.getSnapshot().messages[0]!;
    await aliceChannel.updateMessage(first.id, { text: 'hi bob!' });
    await until(bobChannel.state, (s) => s.messages[0]?.text === 'hi bob!');

    await bobChannel.sendReaction(first.id, '👍');
    expect(bobChannel.state.getSnapshot().messages[0]?.own_reactions).toEqual(['👍']);
    const withReaction = await until(aliceChannel.state, (s) => s.messages[0]?.reaction_counts['👍'] === 1);
    expect(withReaction.messages[0]?.own_reactions).toEqual([]);
    // Who reacted, from the server: newest first, one type or all, a page at a time.
    await aliceChannel.sendReaction(first.id, '❤️');
    const { reactions, next_cursor } = await alice.client.messages.reactions(first.id);
    expect(reactions.map((r) => `${r.user.id}:${r.type}`)).toEqual(['alice:❤️', 'bob:👍']);
    expect(next_cursor).toBeNull();
    const page = await alice.client.messages.reactions(first.id, { limit: 1 });
    expect(page.reactions.map((r) => r.user.id)).toEqual(['alice']);
    const next = await alice.client.messages.reactions(first.id, { limit: 1, cursor: page.next_cursor! });
    expect(next).toEqual({ reactions: [reactions[1]], next_cursor: null });
    const thumbs = await bob.client.messages.reactions(first.id, { type: '👍' });
    expect(thumbs.reactions.map((r) => r.user.id)).toEqual(['bob']);
    await aliceChannel.deleteReaction(first.id, '❤️');
    await bobChannel.deleteReaction(first.id, '👍');
    await until(aliceChannel.state, (s) => !s.messages[0]?.reaction_counts['👍']);

    const reply = await bobChannel.sendMessage({ text: 'in a thread', parentId: first.id });
    await until(aliceChannel.state, (s) => s.threads[first.id]?.some((m) => m.id === reply.id) ?? false);
    expect(texts(aliceChannel)).toEqual(['hi bob!']);
    const replies = await aliceChannel.getReplies(first.id);
    expect(replies.map((m) => m.id)).toEqual([reply.id]);

    const oops = await aliceChannel.sendMessage({ text: 'oops' });
    await until(bobChannel.state, (s) => s.messages.some((m) => m.id === oops.id));
    await aliceChannel.deleteMessage(oops.id);
    await until(bobChannel.state, (s) => s.messages.find((m) => m.id === oops.id)?.type === 'deleted');

    await bobChannel.markRead();
    expect(bobChannel.state.getSnapshot().unreadCount).toBe(0);
    await until(
      aliceChannel.state,
      (s) => s.read.bob?.unread_count === 0 && s.read.bob.last_read_message_id !== null,
    );
  });

  it('shows who is typing', async () => {
    aliceChannel.startTyping();
    await until(bobChannel.state, (s) => s.typing.alice !== undefined);
    aliceChannel.stopTyping();
    await until(bobChannel.state, (s) => s.typing.alice === undefined);
  });

  it('recovers the messages sent while its socket was down', async () => {
    const before = bobChannel.state.getSnapshot().lastSeq;
    const manager = (alice.client as unknown as { manager: { request: (f: unknown) => Promise<unknown> } })
      .manager;
    const request = vi.spyOn(manager, 'request');
    alice.dropSocket();
    await until(alice.client.connection, (c) => c.status === 'reconnecting');
    for (const text of ['while', 'you', 'were', 'away']) await bobChannel.sendMessage({ text });
    await until(alice.client.connection, (c) => c.status === 'connected', 10_000);
    const expected = await serverMessages(bob.client, bobChannel);
    const state = await until(aliceChannel.state, (s) => s.lastSeq >= before + 4 && !s.loading, 10_000);
    expect(state.messages.map((m) => [m.id, m.text, m.type])).toEqual(
      expected.map((m) => [m.id, m.text, m.type]),
    );
    const resume = request.mock.calls.findIndex(([f]) => (f as { type: string }).type === 'channel.watch');
    expect(request.mock.calls[resume]?.[0]).toMatchObject({ cid: aliceChannel.cid, since: before });
    await expect(request.mock.results[resume]?.value).resolves.toMatchObject({ recovered: true });
    request.mockRestore();
    // Still realtime after the resume.
    const after = await bobChannel.sendMessage({ text: 'welcome back' });
    await until(aliceChannel.state, (s) => s.messages.at(-1)?.id === after.id);
  }, 20_000);

  it('searches messages and queries users', async () => {
    const users = await alice.client.users.query({ ids: ['bob'] });
    expect(users.map((u) => u.id)).toEqual(['bob']);
    const { messages } = await alice.client.messages.search({ query: 'away', limit: 20 });
    expect(messages.map((m) => m.text)).toContain('away');
  });

  it('registers and logs in with server-owned accounts (login connects too)', async () => {
    const first = new ChatClient({ apiKey: h.apiKey, baseUrl: h.server.url });
    const registered = await first.auth.register({ username: 'carol', password: 'correct horse battery' });
    expect(registered.id).toBe('carol');
    expect(first.connection.getSnapshot().status).toBe('connected');
    first.disconnect();
    const second = new ChatClient({ apiKey: h.apiKey, baseUrl: h.server.url });
    const me = await second.auth.login({ username: 'carol', password: 'correct horse battery' });
    expect(me.id).toBe('carol');
    expect(second.getUser()?.id).toBe('carol');
    await second.auth.logout();
    second.disconnect();
  });

  it("remembers this device's login, so a password guesser elsewhere cannot lock the user out", async () => {
    const memory = (kept = new Map<string, string>()) => ({
      kept,
      get: (key: string) => kept.get(key) ?? null,
      set: (key: string, value: string) => void kept.set(key, value),
    });
    const keyValue = memory();
    const kept = keyValue.kept;
    const onThisDevice = () => new ChatClient({ apiKey: h.apiKey, baseUrl: h.server.url, env: { keyValue } });
    const first = onThisDevice();
    await first.auth.register({ username: 'dora', password: 'correct horse battery' });
    await first.auth.logout();
    expect([...kept.keys()]).toEqual([`chat-device:${h.apiKey}:dora`]);
    // Someone guesses until the server refuses unknown devices for this account.
    let status = 0;
    for (let i = 0; i < 15 && status !== 429; i++) {
      const reply = await fetch(`${h.server.url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': h.apiKey },
        body: JSON.stringify({ username: 'dora', password: `guess ${i}` }),
      });
      status = reply.status;
    }
    expect(status).toBe(429);
    const elsewhere = new ChatClient({
      apiKey: h.apiKey,
      baseUrl: h.server.url,
      env: { keyValue: memory() },
    });
    await expect(
      elsewhere.auth.login({ username: 'dora', password: 'correct horse battery' }),
    ).rejects.toMatchObject({
      code: 'rate_limited',
    });
    const again = onThisDevice();
    expect((await again.auth.login({ username: 'dora', password: 'correct horse battery' })).id).toBe('dora');
    await again.auth.logout();
  }, 60_000); // a dozen password hashes

  it('keeps the channel list sorted by the newest message', async () => {
    const other = await alice.client.channels.create({
      type: 'messaging',
      id: 'later',
      members: ['alice', 'bob'],
    });
    await other.sendMessage({ text: 'newest' });
    const list = alice.client.channels.list.getSnapshot();
    expect(list[0]?.cid).toBe(other.cid);
    expect(list[0]?.lastMessage?.text).toBe('newest');
    await aliceChannel.sendMessage({ text: 'back on top' });
    expect(alice.client.channels.list.getSnapshot()[0]?.cid).toBe(aliceChannel.cid);
  });

  it('shows presence: a member goes offline after the grace period and online again on reconnect', async () => {
    await bob.client.disconnect();
    await until(alice.client.users.presence, (p) => p.bob === false, 20_000);
    bob = await connectClient(h, 'bob');
    await until(alice.client.users.presence, (p) => p.bob === true, 20_000);
    expect(alice.client.users.isOnline('bob')).toBe(true);
  }, 60_000);
});
