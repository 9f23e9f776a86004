import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CID, message, newMessage, serverState } from '../../test/channel-fixtures';
import { Channels } from '../channels';
import type { ConnectionManager } from '../connection/connection-manager';
import type { ConnectionState } from '../connection/connection-state';
import { resolveEnvironment } from '../environment';
import { NetworkError, PermissionError } from '../errors';
import type { HttpClient } from '../http-client';
import { createStore } from '../store';
import { createMemoryStorage } from './memory-storage';
import { OfflineSync } from './offline-sync';
import type { StorageAdapter } from './storage-adapter';

function setup(
  storage: StorageAdapter = createMemoryStorage(),
  status: ConnectionState['status'] = 'offline',
  visible?: { current(): boolean; subscribe(listener: (value: boolean) => void): () => void },
) {
  const request = vi.fn();
  const state = createStore<ConnectionState>({ status, attempt: 0 });
  const connection = { request, state } as unknown as ConnectionManager;
  let uuid = 0;
  const env = resolveEnvironment({ randomUUID: () => `uuid-${++uuid}` });
  let sync: OfflineSync | undefined;
  const channels = new Channels({
    connection,
    http: {} as HttpClient,
    env,
    userId: () => 'alice',
    sync: () => sync?.writes,
    onHandle: (channel) => sync?.track(channel),
  });
  sync = new OfflineSync({
    storage,
    connection,
    clock: env.clock,
    channel: (cid) => channels.byCid(cid),
    hydrate: (cached) => channels.hydrate(cached),
    hydrateMessages: (cached) => channels.hydrateMessages(cached),
    visible,
  });
  const connect = () => state.setState({ status: 'connected', attempt: 0 });
  return { channels, sync, request, connect, storage, channel: channels.byCid(CID) };
}

const ack = (seq: number, clientMsgId: string) => ({
  message: message(seq, { id: `s${seq}`, client_msg_id: clientMsgId, user_id: 'alice' }),
});

/**
 * `storage` whose `read` (message reads, or the full channel records; list rows are never held)
 * waits until `release()`: a slow IndexedDB.
 */
function holding(storage: StorageAdapter, read: 'getMessages' | 'getChannels') {
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const slow: StorageAdapter = {
    ...storage,
    queue: storage.queue,
    [read]: async (...args: [string]) => {
      await held;
      return (storage[read] as (...a: [string]) => unknown)(...args);
    },
  };
  return { slow, release };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('OfflineSync', () => {
  it('queues sends while offline and performs them in order once connected', async () => {
    const { channel, request, connect, storage } = setup();
    const first = channel.sendMessage({ text: 'one' });
    const second = channel.sendMessage({ text: 'two' });
    await vi.advanceTimersByTimeAsync(0);
    expect(request).not.toHaveBeenCalled();
    expect((await storage.queue.list()).map((i) => i.op.type)).toEqual(['message.send', 'message.send']);
    request.mockResolvedValueOnce(ack(1, 'uuid-1')).mockResolvedValueOnce(ack(2, 'uuid-2'));
    connect();
    await expect(first).resolves.toMatchObject({ id: 's1', status: 'sent' });
    await expect(second).resolves.toMatchObject({ id: 's2', status: 'sent' });
    expect(request.mock.calls.map(([f]) => f.message.client_msg_id)).toEqual(['uuid-1', 'uuid-2']);
    expect(channel.state.getSnapshot().messages.map((m) => [m.id, m.status])).toEqual([
      ['s1', 'sent'],
      ['s2', 'sent'],
    ]);
    expect(await storage.queue.list()).toEqual([]);
  });

  it('keeps an item on a retryable error; a permanent one marks the message failed (retry, discard)', async () => {
    const { channel, request, storage } = setup(undefined, 'connected');
    request.mockRejectedValueOnce(new NetworkError({ code: 'timeout', message: 'slow' }));
    const sending = channel.sendMessage({ text: 'one' });
    await vi.advanceTimersByTimeAsync(0);
    expect(channel.state.getSnapshot().messages[0]?.status).toBe('sending');
    expect(await storage.queue.list()).toHaveLength(1);

    // Its retry timer tries it again (the first backoff is under 1 s).
    request.mockRejectedValueOnce(new PermissionError({ code: 'forbidden', message: 'no', status: 403 }));
    const refused = expect(sending).rejects.toBeInstanceOf(PermissionError);
    await vi.advanceTimersByTimeAsync(1_000);
    await refused;
    expect(channel.state.getSnapshot().messages[0]).toMatchObject({ status: 'failed', id: 'uuid-1' });

    request.mockResolvedValueOnce(ack(1, 'uuid-1'));
    await expect(channel.retryMessage('uuid-1')).resolves.toMatchObject({ id: 's1', status: 'sent' });
    expect(request.mock.calls.map(([f]) => f.message.client_msg_id)).toEqual(['uuid-1', 'uuid-1', 'uuid-1']);

    request.mockRejectedValueOnce(new PermissionError({ code: 'forbidden', message: 'no', status: 403 }));
    await expect(channel.sendMessage({ text: 'two' })).rejects.toBeInstanceOf(PermissionError);
    channel.discardMessage('uuid-2');
    await vi.advanceTimersByTimeAsync(0);
    expect(channel.state.getSnapshot().messages.map((m) => m.id)).toEqual(['s1']);
    expect(await storage.queue.list()).toEqual([]);
  });

  it('persists channel state in batches and loads it back, unsent sends included', async () => {
    const a = setup();
    a.channel.seed(serverState(2, [message(1), message(2)]));
    a.channel.handleEvent(newMessage(message(3)));
    void a.channel.sendMessage({ text: 'later' }).catch(() => {});
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await a.storage.getChannel(CID))?.seq).toBe(3);
    expect((await a.storage.getMessages(CID)).map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);

    const b = setup(a.storage);
    await b.sync.load();
    expect(b.channel.state.getSnapshot().messages.map((m) => [m.id, m.status])).toEqual([
      ['m1', 'sent'],
      ['m2', 'sent'],
      ['m3', 'sent'],
      ['uuid-1', 'sending'],
    ]);
    expect(b.channel.state.getSnapshot().lastSeq).toBe(3);
    expect(b.channels.list.getSnapshot().map((e) => e.cid)).toEqual([CID]);

    // The first watch resumes from the cached seq.
    b.connect();
    b.request.mockImplementation(async (frame) =>
      frame.type === 'channel.watch'
        ? { recovered: true, events: [], state: serverState(3, []) }
        : ack(4, 'uuid-1'),
    );
    await b.channel.watch();
    expect(b.request).toHaveBeenCalledWith(expect.objectContaining({ type: 'channel.watch', since: 3 }));
  });

  it('writes at once when the page is hidden (a reload, a closed tab), not a moment later', async () => {
    const listeners = new Set<(value: boolean) => void>();
    const visible = {
      current: () => true,
      subscribe: (listener: (value: boolean) => void) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const a = setup(createMemoryStorage(), 'offline', visible);
    a.channel.seed(serverState(2, [message(1), message(2)]));
    await vi.advanceTimersByTimeAsync(1_000);
    a.channel.handleEvent(newMessage(message(3)));
    await vi.advanceTimersByTimeAsync(0); // the store's listeners hear of it (not a timer)
    expect(listeners.size).toBe(1);
    for (const listener of listeners) listener(false);
    // Well before the batching delay (300 ms): the write was started by the page going hidden.
    await vi.advanceTimersByTimeAsync(50);
    expect((await a.storage.getMessages(CID)).map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    await a.sync.close();
    expect(listeners.size).toBe(0);
  });

  it('cold start: the list shows from the channel records before any message is read', async () => {
    const a = setup();
    a.channel.seed(serverState(3, [message(1), message(2), message(3)]));
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await a.storage.getChannel(CID))?.last_message?.id).toBe('m3');

    const { slow, release } = holding(a.storage, 'getMessages');
    const b = setup(slow);
    const loading = b.sync.load();
    await vi.advanceTimersByTimeAsync(0);
    // The list and the newest message are there while the messages are still being read.
    expect(b.channels.list.getSnapshot().map((e) => [e.cid, e.lastMessage?.id])).toEqual([[CID, 'm3']]);
    expect(b.channel.state.getSnapshot().messages.map((m) => m.id)).toEqual(['m3']);
    release();
    await loading;
    expect(b.channel.state.getSnapshot().messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    expect(b.channel.state.getSnapshot().lastSeq).toBe(3);
  });

  it('cold start: the list shows from the list rows before the records (members) are read', async () => {
    const a = setup(createMemoryStorage({ userId: 'alice' }));
    a.channel.seed(serverState(3, [message(1), message(2), message(3)]));
    a.channel.handleEvent(newMessage(message(4)));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(a.channel.state.getSnapshot().unreadCount).toBe(1);
    const slow = holding(a.storage, 'getChannels');
    const b = setup(slow.slow);
    const loading = b.sync.load();
    await vi.advanceTimersByTimeAsync(0);
    expect(b.channels.list.getSnapshot()).toEqual([
      expect.objectContaining({
        cid: CID,
        unreadCount: 1,
        lastMessage: expect.objectContaining({ id: 'm4' }),
        // Who else is in it, from the row: a channel without a name is named after them at once.
        people: [expect.objectContaining({ id: 'bob' })],
      }),
    ]);
    expect(b.channels.unreadTotal.getSnapshot()).toBe(1);
    const early = b.channel.state.getSnapshot();
    expect(early.membership?.user_id).toBe('alice');
    expect(Object.keys(early.members)).toEqual(['alice']);
    slow.release();
    await loading;
    const done = b.channel.state.getSnapshot();
    expect(Object.keys(done.members).sort()).toEqual(['alice', 'bob']);
    expect(done.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(done.unreadCount).toBe(1);
    expect(done.lastSeq).toBe(4);
  });

  it('cold start: members still arrive when a watch resumed before the records were read', async () => {
    const a = setup(createMemoryStorage({ userId: 'alice' }));
    a.channel.seed(serverState(3, [message(1), message(2), message(3)]));
    await vi.advanceTimersByTimeAsync(1_000);
    const slow = holding(a.storage, 'getChannels');
    const b = setup(slow.slow, 'connected');
    const loading = b.sync.load();
    await vi.advanceTimersByTimeAsync(0);
    // A recovered watch brings events only, never a member list.
    b.request.mockResolvedValueOnce({
      recovered: true,
      events: [newMessage(message(4))],
      state: serverState(4, []),
    });
    await b.channel.watch();
    expect(b.request).toHaveBeenCalledWith(expect.objectContaining({ type: 'channel.watch', since: 3 }));
    slow.release();
    await loading;
    const state = b.channel.state.getSnapshot();
    expect(Object.keys(state.members).sort()).toEqual(['alice', 'bob']);
    expect(state.lastSeq).toBe(4);
  });

  it('cold start without list rows (an adapter from before them): the records fill the list', async () => {
    const a = setup();
    a.channel.seed(serverState(2, [message(1), message(2)]));
    await vi.advanceTimersByTimeAsync(1_000);
    const { getChannelList: _rows, ...older } = a.storage;
    const b = setup({ ...older, queue: a.storage.queue });
    await b.sync.load();
    expect(b.channels.list.getSnapshot().map((e) => [e.cid, e.lastMessage?.id])).toEqual([[CID, 'm2']]);
    expect(b.channel.state.getSnapshot().messages.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(Object.keys(b.channel.state.getSnapshot().members).sort()).toEqual(['alice', 'bob']);
  });

  it('keeps the list rows in step with the channel: new messages, reads, deletion', async () => {
    const { channel, storage, channels } = setup(createMemoryStorage({ userId: 'alice' }));
    channel.seed(serverState(2, [message(1), message(2)]));
    const other = channels.byCid('messaging:other');
    other.seed({
      ...serverState(1, [message(1, { cid: 'messaging:other' })]),
      channel: { ...serverState(1, []).channel, cid: 'messaging:other', id: 'other' },
    });
    await vi.advanceTimersByTimeAsync(1_000);
    channel.handleEvent(newMessage(message(3)));
    await vi.advanceTimersByTimeAsync(1_000);
    const row = async (cid = CID) => (await storage.getChannelList?.())?.find((r) => r.cid === cid);
    expect(await row()).toMatchObject({ seq: 3, unread_count: 1, last_message: { id: 'm3' } });
    void channel.markRead().catch(() => {});
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await row()).toMatchObject({ seq: 3, unread_count: 0 });
    channel.handleEvent({
      type: 'channel.deleted',
      cid: CID,
      seq: 4,
      created_at: message(1).created_at,
      channel: { ...serverState(4, []).channel, deleted_at: message(1).created_at },
    } as Parameters<typeof channel.handleEvent>[0]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await row()).toBeUndefined();
    expect((await storage.getChannelList?.())?.map((r) => r.cid)).toEqual(['messaging:other']);
  });

  it('cold start: cached messages do not overwrite a channel the network loaded meanwhile', async () => {
    const a = setup();
    a.channel.seed(serverState(3, [message(1), message(2), message(3)]));
    await vi.advanceTimersByTimeAsync(1_000);
    const { slow, release } = holding(a.storage, 'getMessages');
    const b = setup(slow, 'connected');
    const loading = b.sync.load();
    await vi.advanceTimersByTimeAsync(0);
    // The network answers first: message 2 was deleted meanwhile, and 4 is new.
    b.request.mockResolvedValueOnce({
      recovered: false,
      events: [],
      state: serverState(5, [message(1), message(3), message(4)]),
    });
    await b.channel.watch();
    release();
    await loading;
    expect(b.channel.state.getSnapshot().messages.map((m) => m.id)).toEqual(['m1', 'm3', 'm4']);
  });

  it('forgets a channel the user was removed from', async () => {
    const { channel, storage } = setup(createMemoryStorage({ userId: 'alice' }));
    channel.seed(serverState(2, [message(1), message(2)]));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await storage.getChannel(CID)).toBeDefined();
    channel.handleEvent({
      type: 'member.removed',
      cid: CID,
      seq: 3,
      created_at: message(1).created_at,
      user_id: 'alice',
    } as Parameters<typeof channel.handleEvent>[0]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await storage.getChannel(CID)).toBeUndefined();
    expect(await storage.getChannelList?.()).toEqual([]);
    expect(await storage.getMessages(CID)).toEqual([]);
  });

  it('routes edits, reactions and reads through the queue', async () => {
    const { channel, request, connect, storage } = setup();
    channel.seed(serverState(1, [message(1)]));
    channel.handleEvent(newMessage(message(2)));
    expect(channel.state.getSnapshot().unreadCount).toBeGreaterThan(0);
    const edit = channel.updateMessage('m1', { text: 'edited' });
    const react = channel.sendReaction('m1', '👍');
    const read = channel.markRead();
    await vi.advanceTimersByTimeAsync(0);
    expect(channel.state.getSnapshot().unreadCount).toBe(0); // shown read while the mark waits
    expect((await storage.queue.list()).map((i) => i.op.type)).toEqual([
      'message.update',
      'reaction.add',
      'read.mark',
    ]);
    request
      .mockResolvedValueOnce({ message: message(1, { text: 'edited' }) })
      .mockResolvedValueOnce({ message: message(1, { text: 'edited', reaction_counts: { '👍': 1 } }) })
      .mockResolvedValueOnce({
        read: { user_id: 'alice', last_read_message_id: 'm1', last_read_at: null, unread_count: 0 },
      });
    connect();
    await Promise.all([edit, react, read]);
    expect(request.mock.calls.map(([f]) => f.type)).toEqual(['message.update', 'reaction.add', 'read.mark']);
    expect(request.mock.calls[0]?.[0]).not.toHaveProperty('cid');
    expect(channel.state.getSnapshot().messages[0]).toMatchObject({ text: 'edited', own_reactions: ['👍'] });
  });
});
