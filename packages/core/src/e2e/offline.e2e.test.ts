import { openStore, type Store } from '@chat/server';
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  clientMaker,
  connectClient,
  listen,
  startServer,
  storedMessages,
  until,
} from '../../test/e2e-harness';
import { manualSignal } from '../../test/signals';
import type { Channel } from '../channel';
import type { ChatClient, ChatClientOptions } from '../client';
import { createIndexedDbStorage } from '../offline/indexeddb-storage';
import { createMemoryStorage } from '../offline/memory-storage';

let store: Store;
let h: Awaited<ReturnType<typeof startServer>>;
let bob: Awaited<ReturnType<typeof connectClient>>;
const clients: ChatClient[] = [];

beforeAll(async () => {
  store = await openStore({ dataDir: 'memory' });
  h = await startServer({ store });
  bob = await connectClient(h, 'bob');
}, 60_000);

afterAll(async () => {
  for (const client of clients) await client.disconnect();
  await bob?.client.disconnect();
  await h?.server.close();
  await store?.close();
});

const newClient = (options: Partial<ChatClientOptions> = {}) => clientMaker(h, clients)(options);

/** What the server stored, as another user sees it over REST. */
const onServer = (channel: Channel) => storedMessages(bob.client, channel);

const texts = (channel: Channel) => channel.state.getSnapshot().messages.map((m) => m.text);
const statuses = (channel: Channel) => channel.state.getSnapshot().messages.map((m) => m.status);

/** A token the test hands out when it chooses: until then nothing reaches the network. */
function heldToken(userId: string) {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  return { provider: () => gate.then(() => h.token(userId)), release };
}

describe('offline first, against the reference server', () => {
  it('queues sends while the server is down and flushes them in order, once, when it is back', async () => {
    const alice = newClient();
    await alice.connect({ id: 'alice' }, () => h.token('alice'));
    const channel = await alice.channels.create({ type: 'messaging', members: ['alice', 'bob'] });
    await channel.watch();

    const port = Number(new URL(h.server.url).port);
    await h.server.close();
    await until(alice.connection, (c) => c.status === 'reconnecting');

    const sends = ['one', 'two', 'three'].map((text) => channel.sendMessage({ text }));
    expect(texts(channel)).toEqual(['one', 'two', 'three']);
    await new Promise((resolve) => setTimeout(resolve, 700)); // a few failed reconnect attempts
    expect(statuses(channel)).toEqual(['sending', 'sending', 'sending']);

    h.server = await listen({ store, port });
    const sent = await Promise.all(sends);
    expect(sent.map((m) => m.status)).toEqual(['sent', 'sent', 'sent']);
    expect(alice.connection.getSnapshot().status).toBe('connected');

    const stored = await onServer(channel);
    expect(stored.map((m) => m.text)).toEqual(['one', 'two', 'three']);
    expect(stored.map((m) => m.client_msg_id)).toEqual(sent.map((m) => m.client_msg_id));
    const state = await until(channel.state, (s) => !s.loading);
    expect(state.messages.map((m) => [m.id, m.status])).toEqual(stored.map((m) => [m.id, 'sent']));
  }, 30_000);

  it('shows edits, deletes and reactions made offline at once, lists them as pending, and performs them in order', async () => {
    const alice = newClient();
    await alice.connect({ id: 'alice' }, () => h.token('alice'));
    const channel = await alice.channels.create({
      type: 'messaging',
      id: 'offline-writes',
      members: ['alice', 'bob'],
    });
    await channel.watch();
    const [keep, drop] = [
      await channel.sendMessage({ text: 'keep' }),
      await channel.sendMessage({ text: 'drop' }),
    ];

    const port = Number(new URL(h.server.url).port);
    await h.server.close();
    await until(alice.connection, (c) => c.status === 'reconnecting');

    const writes = [
      channel.updateMessage(keep.id, { text: 'kept, edited' }),
      channel.sendReaction(keep.id, '🎉'),
      channel.deleteMessage(drop.id),
    ];
    const shown = channel.state.getSnapshot().messages;
    expect(shown.map((m) => [m.text, m.type])).toEqual([
      ['kept, edited', 'regular'],
      ['', 'deleted'],
    ]);
    expect(shown[0]?.edited_at).not.toBeNull();
    expect(shown[0]?.reaction_counts).toEqual({ '🎉': 1 });
    expect(shown[0]?.own_reactions).toEqual(['🎉']);
    await until(channel.pendingWrites, (items) => items.length === 3);
    expect(channel.pendingWrites.getSnapshot().map((i) => i.op.type)).toEqual([
      'message.update',
      'reaction.add',
      'message.delete',
    ]);

    h.server = await listen({ store, port });
    await Promise.all(writes);
    await until(channel.pendingWrites, (items) => items.length === 0);
    const stored = await onServer(channel);
    expect(stored.map((m) => [m.text, m.type, m.reaction_counts])).toEqual([
      ['kept, edited', 'regular', { '🎉': 1 }],
      ['', 'deleted', {}],
    ]);
    expect(channel.state.getSnapshot().messages.map((m) => m.text)).toEqual(['kept, edited', '']);
  }, 30_000);

  it('undoes an optimistic edit the server refuses', async () => {
    const alice = newClient();
    await alice.connect({ id: 'alice' }, () => h.token('alice'));
    const channel = await alice.channels.create({
      type: 'messaging',
      id: 'refused-edit',
      members: ['alice', 'bob'],
    });
    await channel.watch();
    const bobChannel = bob.client.channel(channel.type, channel.id);
    const theirs = await bobChannel.sendMessage({ text: 'bob wrote this' });
    await until(channel.state, (s) => s.messages.some((m) => m.id === theirs.id));
    const editing = channel.updateMessage(theirs.id, { text: 'alice rewrote it' });
    expect(channel.state.getSnapshot().messages.at(-1)?.text).toBe('alice rewrote it');
    await expect(editing).rejects.toMatchObject({ code: 'forbidden' });
    expect(channel.state.getSnapshot().messages.at(-1)?.text).toBe('bob wrote this');
    expect(channel.pendingWrites.getSnapshot()).toEqual([]);
  }, 30_000);

  it('shows cached channels and messages after a reload, before the network answers', async () => {
    const indexedDB = new IDBFactory();
    const storage: ChatClientOptions['storage'] = (ctx) => createIndexedDbStorage({ ...ctx, indexedDB });
    const first = newClient({ storage });
    await first.connect({ id: 'carol' }, () => h.token('carol'));
    const channel = await first.channels.create({ type: 'messaging', members: ['carol', 'bob'] });
    await channel.watch();
    for (const text of ['a', 'b', 'c']) await channel.sendMessage({ text });
    const seq = channel.state.getSnapshot().lastSeq;
    await first.disconnect(); // writes what is pending, then closes the database

    const reloaded = newClient({ storage });
    const token = heldToken('carol');
    const connecting = reloaded.connect({ id: 'carol' }, token.provider);
    const cached = reloaded.channel(channel.type, channel.id);
    const state = await until(cached.state, (s) => s.messages.length === 3);
    expect(reloaded.connection.getSnapshot().status).not.toBe('connected');
    expect(texts(cached)).toEqual(['a', 'b', 'c']);
    expect(state.lastSeq).toBe(seq);
    expect(reloaded.channels.list.getSnapshot().map((e) => e.cid)).toEqual([channel.cid]);
    expect(reloaded.channels.list.getSnapshot()[0]?.lastMessage?.text).toBe('c');

    // Missed meanwhile: the first watch resumes from the cached seq.
    const bobChannel = bob.client.channel(channel.type, channel.id);
    await bobChannel.sendMessage({ text: 'd' });
    const manager = (reloaded as unknown as { manager: { request: (f: unknown) => Promise<unknown> } })
      .manager;
    const request = vi.spyOn(manager, 'request');
    token.release();
    await connecting;
    await cached.watch();
    expect(
      request.mock.calls.find(([f]) => (f as { type: string }).type === 'channel.watch')?.[0],
    ).toMatchObject({ cid: channel.cid, since: seq });
    request.mockRestore();
    expect(texts(cached)).toEqual(['a', 'b', 'c', 'd']);
    expect(cached.state.getSnapshot().messages.map((m) => m.id)).toEqual(
      (await onServer(channel)).map((m) => m.id),
    );
  }, 30_000);

  it('keeps a queued send across a reload and sends it exactly once', async () => {
    const storage = createMemoryStorage();
    const online = manualSignal(true);
    const before = newClient({ storage, env: { online } });
    await before.connect({ id: 'dave' }, () => h.token('dave'));
    const channel = await before.channels.create({ type: 'messaging', members: ['dave', 'bob'] });
    await channel.watch();
    online.set(false);
    await until(before.connection, (c) => c.status === 'offline');
    void channel.sendMessage({ text: 'written offline' }).catch(() => {});
    const [queued] = await until(channel.state, (s) => s.messages.length === 1).then((s) => s.messages);
    expect(queued?.status).toBe('sending');
    await new Promise((resolve) => setTimeout(resolve, 400)); // the cache is written in batches

    // The page reloads: the old client is simply gone, a new one starts on the same storage.
    const after = newClient({ storage });
    const token = heldToken('dave');
    const connecting = after.connect({ id: 'dave' }, token.provider);
    const restored = after.channel(channel.type, channel.id);
    await until(restored.state, (s) => s.messages.length === 1);
    expect(restored.state.getSnapshot().messages[0]).toMatchObject({
      text: 'written offline',
      status: 'sending',
      client_msg_id: queued?.client_msg_id,
    });
    token.release();
    await connecting;
    const sent = await until(restored.state, (s) => s.messages[0]?.status === 'sent');
    const stored = await onServer(channel);
    expect(stored.map((m) => [m.text, m.client_msg_id])).toEqual([
      ['written offline', queued?.client_msg_id],
    ]);
    expect(sent.messages.map((m) => m.id)).toEqual(stored.map((m) => m.id));
    expect(await storage.queue.list()).toEqual([]);

    // A logout forgets the cache and the queue.
    await after.disconnect({ clear: true });
    expect(await storage.getChannels()).toEqual([]);
  }, 30_000);
});
