import type { ChannelEvent, ChatEvent, Message } from '@chat/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { message as fixture, newMessage, serverState } from '../test/channel-fixtures';
import { listHistory } from '../test/channel-list-history';
import { fakeSockets } from '../test/fake-websocket';
import { deepFreeze, seededRandom } from '../test/random';
import { ChatClient } from './client';
import type { ChannelSnapshot } from './state/types';

const flush = () => vi.advanceTimersByTimeAsync(0);
/** The frames are validated like the server's: ids are UUIDs. */
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const message = (seq: number, overrides: Partial<Message> = {}) =>
  fixture(seq, { id: uuid(seq), ...overrides });
const CLIENT_MSG_ID = uuid(999);

/** A connected client watching `messaging:trip` (messages 1 and 2), with a counting subscriber. */
async function watching() {
  const ws = fakeSockets();
  const client = new ChatClient({
    apiKey: 'key',
    baseUrl: 'https://chat.test',
    env: { WebSocket: ws.WebSocket, random: () => 0.5, randomUUID: () => CLIENT_MSG_ID },
  });
  const connected = client.connect({ id: 'alice' }, 'alice-token');
  await flush();
  ws.last().authenticate();
  await connected;
  const channel = client.channel('messaging', 'trip');
  const watched = channel.watch();
  await flush();
  const socket = ws.last();
  const watch = socket.lastFrame('channel.watch');
  socket.push({
    type: 'ack',
    id: watch.id,
    result: {
      recovered: false,
      events: [],
      state: serverState(2, [message(1), message(2)]),
      watcher_count: 1,
    },
  });
  await watched;
  let notifications = 0;
  channel.state.subscribe(() => notifications++);
  /** Frames pushed back to back, as the frames of one socket read are dispatched. */
  const read = (events: ChannelEvent[]) => {
    for (const event of events) socket.push(event);
  };
  return { client, channel, socket, read, notifications: () => notifications };
}

/** A connected client, its socket, and counts of the client-wide stores' notifications. */
async function connected() {
  const ws = fakeSockets();
  const client = new ChatClient({
    apiKey: 'key',
    baseUrl: 'https://chat.test',
    env: { WebSocket: ws.WebSocket },
  });
  const connecting = client.connect({ id: 'alice' }, 'alice-token');
  await flush();
  ws.last().authenticate();
  await connecting;
  const heard = { list: 0, total: 0 };
  client.channels.list.subscribe(() => heard.list++);
  client.channels.unreadTotal.subscribe(() => heard.total++);
  return { client, socket: ws.last(), heard };
}

const news = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => newMessage(message(from + i)));
const seqs = (state: ChannelSnapshot) => state.messages.map((m) => m.seq);

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('events that arrive together', () => {
  it('are applied as one batch: one notification, every event applied, client-wide stores too', async () => {
    const { client, channel, read, notifications } = await watching();
    const before = deepFreeze(channel.state.getSnapshot());
    const heard: number[] = [];
    client.on('message.new', (event) => heard.push(event.message.seq));
    read(news(3, 102));
    expect(notifications()).toBe(0);
    await Promise.resolve();
    expect(notifications()).toBe(1);
    expect(heard).toEqual(seqs(channel.state.getSnapshot()).slice(2));
    expect(channel.state.getSnapshot().lastSeq).toBe(102);
    expect(client.channels.unreadTotal.getSnapshot()).toBe(100);
    expect(seqs(before)).toEqual([1, 2]);
    await client.disconnect();
  });

  it('are seen applied by code that reads the state between them, and what it read never changes', async () => {
    const { client, channel, read, notifications } = await watching();
    const seen: ChannelSnapshot[] = [];
    client.on('message.new', (event) => {
      const state = channel.state.getSnapshot();
      expect(state.messages.at(-1)?.id).toBe(event.message.id);
      // Frozen: a later event of the same read that changed it in place would throw.
      seen.push(deepFreeze(state));
    });
    read(news(3, 22));
    await flush();
    expect(notifications()).toBe(1);
    expect(seen.map((s) => s.messages.length)).toEqual(Array.from({ length: 20 }, (_, i) => 3 + i));
    await client.disconnect();
  });

  it('keep their order with acks in the same read: an own message shows once, sent', async () => {
    const { client, channel, socket, read } = await watching();
    const sending = channel.sendMessage({ text: 'hi' });
    await flush();
    const send = socket.lastFrame('message.send');
    const stored = message(4, { client_msg_id: CLIENT_MSG_ID, user_id: 'alice', text: 'hi' });
    read([newMessage(message(3)), newMessage(stored)]);
    socket.push({ type: 'ack', id: send.id, result: { message: stored } });
    read(news(5, 6));
    await expect(sending).resolves.toMatchObject({ id: stored.id, status: 'sent' });
    const state = channel.state.getSnapshot();
    expect(state.messages.map((m) => [m.seq, m.status])).toEqual([
      [1, 'sent'],
      [2, 'sent'],
      [3, 'sent'],
      [4, 'sent'],
      [5, 'sent'],
      [6, 'sent'],
    ]);
    expect(state.messages[3]?.client_msg_id).toBe(CLIENT_MSG_ID);
    await client.disconnect();
  });

  it('stop at a gap: the channel resumes from the last applied seq, then applies what came after', async () => {
    const { client, channel, socket, read } = await watching();
    read([...news(3, 3), ...news(5, 6)]);
    await flush();
    const resume = socket.lastFrame('channel.watch');
    expect(resume.since).toBe(3);
    socket.push({
      type: 'ack',
      id: resume.id,
      result: {
        recovered: true,
        events: news(4, 5),
        state: serverState(5, []),
        watcher_count: 1,
      },
    });
    await flush();
    expect(seqs(channel.state.getSnapshot())).toEqual([1, 2, 3, 4, 5, 6]);
    await client.disconnect();
  });

  it('update the channel list and unread total as one batch: one notification per read, the state of one frame per task', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = seededRandom(seed);
      const events = listHistory(random, 60);
      const batched = await connected();
      const single = await connected();
      for (let i = 0; i < events.length; ) {
        const end = Math.min(events.length, i + 1 + random.int(15));
        const before = { ...batched.heard };
        for (; i < end; i++) batched.socket.push(events[i] as ChatEvent);
        await Promise.resolve();
        expect(batched.heard.list - before.list).toBeLessThanOrEqual(1);
        expect(batched.heard.total - before.total).toBeLessThanOrEqual(1);
      }
      for (const event of events) {
        single.socket.push(event);
        await flush();
      }
      expect(batched.client.channels.list.getSnapshot(), `seed ${seed}`).toEqual(
        single.client.channels.list.getSnapshot(),
      );
      expect(batched.client.channels.unreadTotal.getSnapshot()).toBe(
        single.client.channels.unreadTotal.getSnapshot(),
      );
      expect(batched.heard.list).toBeLessThan(single.heard.list);
      await batched.client.disconnect();
      await single.client.disconnect();
    }
  });
});
