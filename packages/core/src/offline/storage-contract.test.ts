import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { createIndexedDbStorage } from './indexeddb-storage';
import { createMemoryStorage } from './memory-storage';
import { type QueueItem, type StorageAdapter, summarizeChannel } from './storage-adapter';
import { cached, member, message, messages } from './test/fixtures';

/** One contract, run against every StorageAdapter the SDK ships. */
const implementations: [string, (messageLimit?: number) => StorageAdapter][] = [
  ['memory', (messageLimit) => createMemoryStorage({ messageLimit, userId: 'alice' })],
  [
    'IndexedDB (fake-indexeddb, injected)',
    (messageLimit) =>
      createIndexedDbStorage({ apiKey: 'key', userId: 'alice', indexedDB: new IDBFactory(), messageLimit }),
  ],
];

const A = 'messaging:a';
const B = 'messaging:b';
const pending = (cid = A): Omit<QueueItem, 'id'> => ({
  op: { type: 'message.send', cid, message: { client_msg_id: `c-${cid}`, text: 'hi' } },
  status: 'pending',
  attempts: 0,
  created_at: 1,
});

describe.each(implementations)('StorageAdapter contract: %s', (_name, create) => {
  const opened: StorageAdapter[] = [];
  const make = (limit?: number) => {
    const storage = create(limit);
    opened.push(storage);
    return storage;
  };
  afterEach(() => {
    for (const storage of opened.splice(0)) storage.close?.();
  });

  it('starts empty', async () => {
    const storage = make();
    expect(await storage.getChannels()).toEqual([]);
    expect(await storage.getChannel(A)).toBeUndefined();
    expect(await storage.getMessages(A)).toEqual([]);
    expect(await storage.queue.list()).toEqual([]);
  });

  it('stores channels by cid, replacing the record of the same cid', async () => {
    const storage = make();
    await storage.putChannel(cached(A, 1));
    await storage.putChannel(cached(B, 5));
    await storage.putChannel(cached(A, 3));
    expect(await storage.getChannel(A)).toEqual(cached(A, 3));
    const all = await storage.getChannels();
    expect(all.map((record) => record.channel.cid).sort()).toEqual([A, B]);
    expect(all.find((record) => record.channel.cid === B)).toEqual(cached(B, 5));
  });

  it('is not changed by a caller mutating what it passed or got', async () => {
    const storage = make();
    const record = cached(A);
    await storage.putChannel(record);
    record.members.push(record.members[0]!);
    (await storage.getChannel(A))!.read.pop();
    expect(await storage.getChannel(A)).toEqual(cached(A));
  });

  it('returns messages oldest first, whatever order they were put in', async () => {
    const storage = make();
    await storage.putMessages(A, [message(A, 3), message(A, 1)]);
    await storage.putMessages(A, [message(A, 2)]);
    expect((await storage.getMessages(A)).map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(await storage.getMessages(A)).toEqual(messages(A, 1, 3));
  });

  it('replaces a message with the same seq (an edit, a delete)', async () => {
    const storage = make();
    await storage.putMessages(A, messages(A, 1, 2));
    await storage.putMessages(A, [message(A, 2, 'edited')]);
    expect((await storage.getMessages(A)).map((m) => m.text)).toEqual(['message 1', 'edited']);
  });

  it('keeps messages per channel and ignores messages of another channel', async () => {
    const storage = make();
    await storage.putMessages(A, [message(A, 1), message(B, 7)]);
    await storage.putMessages(B, [message(B, 2)]);
    expect((await storage.getMessages(A)).map((m) => m.seq)).toEqual([1]);
    expect((await storage.getMessages(B)).map((m) => m.seq)).toEqual([2]);
  });

  it('keeps only the newest N messages of each channel', async () => {
    const storage = make(5);
    await storage.putMessages(A, messages(A, 1, 8));
    expect((await storage.getMessages(A)).map((m) => m.seq)).toEqual([4, 5, 6, 7, 8]);
    await storage.putMessages(A, messages(A, 9, 10));
    expect((await storage.getMessages(A)).map((m) => m.seq)).toEqual([6, 7, 8, 9, 10]);
    // An older message arriving when the channel is full is dropped at once.
    await storage.putMessages(A, [message(A, 2)]);
    expect((await storage.getMessages(A)).map((m) => m.seq)).toEqual([6, 7, 8, 9, 10]);
    await storage.putMessages(B, messages(B, 1, 3));
    expect((await storage.getMessages(B)).map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('keeps 200 messages per channel by default', async () => {
    const storage = make();
    await storage.putMessages(A, messages(A, 1, 250));
    const kept = await storage.getMessages(A);
    expect(kept).toHaveLength(200);
    expect(kept[0]!.seq).toBe(51);
    expect(kept.at(-1)!.seq).toBe(250);
  });

  it('drops the cached messages first with replace (a fresh page, a truncation)', async () => {
    const storage = make(3);
    await storage.putMessages(A, messages(A, 1, 3));
    await storage.putMessages(B, messages(B, 1, 2));
    await storage.putMessages(A, messages(A, 10, 11), { replace: true });
    expect((await storage.getMessages(A)).map((m) => m.seq)).toEqual([10, 11]);
    await storage.putMessages(A, [], { replace: true });
    expect(await storage.getMessages(A)).toEqual([]);
    expect(await storage.getMessages(B)).toHaveLength(2);
  });

  it('forgets a channel with its messages, and only that channel', async () => {
    const storage = make();
    await storage.putChannel(cached(A));
    await storage.putChannel(cached(B));
    await storage.putMessages(A, messages(A, 1, 3));
    await storage.putMessages(B, messages(B, 1, 2));
    await storage.deleteChannel(A);
    expect(await storage.getChannel(A)).toBeUndefined();
    expect(await storage.getMessages(A)).toEqual([]);
    expect(await storage.getChannel(B)).toEqual(cached(B));
    expect(await storage.getMessages(B)).toHaveLength(2);
  });

  it('gives queue items increasing ids and lists them in that order', async () => {
    const storage = make();
    const first = await storage.queue.add(pending(A));
    const second = await storage.queue.add(pending(B));
    const third = await storage.queue.add(pending(A));
    expect(first).toEqual({ ...pending(A), id: first.id });
    expect(second.id).toBeGreaterThan(first.id);
    expect(third.id).toBeGreaterThan(second.id);
    expect(await storage.queue.list()).toEqual([first, second, third]);
  });

  it('updates and removes queue items by id, never reusing an id', async () => {
    const storage = make();
    const first = await storage.queue.add(pending());
    const second = await storage.queue.add(pending());
    const failed: QueueItem = {
      ...first,
      status: 'failed',
      attempts: 1,
      error: { code: 'forbidden', message: 'No', status: 403 },
    };
    await storage.queue.update(failed);
    await storage.queue.update({ ...second, id: 999 });
    expect(await storage.queue.list()).toEqual([failed, second]);
    await storage.queue.remove(second.id);
    await storage.queue.remove(12345);
    expect(await storage.queue.list()).toEqual([failed]);
    const third = await storage.queue.add(pending());
    expect(third.id).toBeGreaterThan(second.id);
  });

  it('clears everything on logout, queue included', async () => {
    const storage = make();
    await storage.putChannel(cached(A));
    await storage.putMessages(A, messages(A, 1, 2));
    await storage.queue.add(pending());
    await storage.clear();
    expect(await storage.getChannels()).toEqual([]);
    expect(await storage.getChannelList?.()).toEqual([]);
    expect(await storage.getMessages(A)).toEqual([]);
    expect(await storage.queue.list()).toEqual([]);
  });

  it("keeps the bytes of queued sends' files until deleted or cleared", async () => {
    const storage = make();
    const files = storage.files!;
    expect(await files.get('f1')).toBeUndefined();
    await files.put('f1', new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' }));
    await files.put('f2', new Blob(['second']));
    const stored = await files.get('f1');
    expect(stored?.type).toBe('image/png');
    expect([...new Uint8Array(await stored!.arrayBuffer())]).toEqual([1, 2, 3]);
    await files.delete('f1');
    expect(await files.get('f1')).toBeUndefined();
    expect(await (await files.get('f2'))?.text()).toBe('second');
    await storage.clear();
    expect(await files.get('f2')).toBeUndefined();
  });

  const byCid = (rows: { cid: string }[] | undefined) =>
    [...(rows ?? [])].sort((x, y) => (x.cid < y.cid ? -1 : 1));

  it("keeps a list row beside each record: what the list shows, with the user's membership", async () => {
    const storage = make();
    expect(await storage.getChannelList?.()).toEqual([]);
    const newest = message(A, 7);
    const bob = { ...member(A), user_id: 'bob', user: { ...member(A).user, id: 'bob', name: 'Bob' } };
    await storage.putChannel({
      ...cached(A, 7),
      members: [member(A), bob],
      last_message: newest,
      unread_count: 4,
    });
    await storage.putChannel(cached(B, 2));
    expect(byCid(await storage.getChannelList?.())).toEqual([
      {
        cid: A,
        channel: cached(A, 7).channel,
        seq: 7,
        last_message: newest,
        unread_count: 4,
        membership: member(A),
        // The others, to name a channel without a name by.
        people: [{ id: 'bob', name: 'Bob', image: bob.user.image }],
      },
      // Written without a count or a newest message (an older SDK): the membership's count.
      {
        cid: B,
        channel: cached(B, 2).channel,
        seq: 2,
        last_message: null,
        unread_count: 0,
        membership: member(B),
        people: [],
      },
    ]);
  });

  it('keeps the list rows in step with the records: replaced, deleted, cleared', async () => {
    const storage = make();
    await storage.putChannel(cached(A, 1));
    await storage.putChannel(cached(B, 1));
    const renamed = { ...cached(A, 5), unread_count: 0 };
    renamed.channel = { ...renamed.channel, name: 'renamed' };
    await storage.putChannel(renamed);
    // A channel the user left: still cached (a deleteChannel is what removes it), not a member.
    await storage.putChannel({ ...cached(B, 3), members: [] });
    expect(byCid(await storage.getChannelList?.())).toEqual([
      summarizeChannel(renamed, 'alice'),
      summarizeChannel({ ...cached(B, 3), members: [] }, 'alice'),
    ]);
    expect((await storage.getChannelList?.())?.find((r) => r.cid === B)?.membership).toBeNull();
    await storage.deleteChannel(A);
    expect((await storage.getChannelList?.())?.map((r) => r.cid)).toEqual([B]);
    await storage.clear();
    expect(await storage.getChannelList?.()).toEqual([]);
  });

  it('is not changed by a caller mutating a list row it got', async () => {
    const storage = make();
    await storage.putChannel({ ...cached(A, 1), unread_count: 3 });
    const [row] = (await storage.getChannelList?.()) ?? [];
    if (row) row.unread_count = 99;
    expect((await storage.getChannelList?.())?.[0]?.unread_count).toBe(3);
  });
});
