import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import { NetworkError, PermissionError } from '../errors';
import { createIndexedDbStorage } from './indexeddb-storage';
import { createMemoryStorage } from './memory-storage';
import type { QueueItem, QueueOperation, StorageAdapter } from './storage-adapter';
import { type PerformItem, type PerformResult, SyncQueue } from './sync-queue';

const cid = 'messaging:general';
const send = (n: number): QueueOperation => ({
  type: 'message.send',
  cid,
  message: { client_msg_id: `c-${n}`, text: `message ${n}` },
});
const label = (item: QueueItem) =>
  item.op.type === 'message.send' ? item.op.message.client_msg_id : item.op.type;
const labels = (queue: SyncQueue) => queue.getSnapshot().items.map(label);
const statuses = (queue: SyncQueue) =>
  queue.getSnapshot().items.map((item) => `${label(item)}:${item.status}`);

/** A `perform` that answers from a script by client_msg_id (default ok) and records the calls. */
function performer(script: Record<string, PerformResult | Error> = {}) {
  const calls: string[] = [];
  const perform: PerformItem = async (item) => {
    calls.push(label(item));
    const answer = script[label(item)] ?? { status: 'ok' };
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { calls, perform };
}

function deferred() {
  let resolve!: (result: PerformResult) => void;
  const promise = new Promise<PerformResult>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function queueWith(count: number, storage: StorageAdapter = createMemoryStorage()) {
  const queue = new SyncQueue(storage, { now: () => 1000 });
  for (let n = 1; n <= count; n++) await queue.add(send(n));
  return { queue, storage };
}

describe('SyncQueue', () => {
  it('stores each write in order before add resolves', async () => {
    const { queue, storage } = await queueWith(3);
    expect(labels(queue)).toEqual(['c-1', 'c-2', 'c-3']);
    const stored = await storage.queue.list();
    expect(stored.map(label)).toEqual(['c-1', 'c-2', 'c-3']);
    expect(stored[0]).toMatchObject({ status: 'pending', attempts: 0, created_at: 1000, op: send(1) });
  });

  it('keeps the order of concurrent adds', async () => {
    const queue = new SyncQueue(createMemoryStorage());
    await Promise.all([1, 2, 3, 4].map((n) => queue.add(send(n))));
    expect(labels(queue)).toEqual(['c-1', 'c-2', 'c-3', 'c-4']);
  });

  it.each([
    ['memory', () => createMemoryStorage()],
    ['IndexedDB', () => createIndexedDbStorage({ apiKey: 'k', userId: 'u', indexedDB: new IDBFactory() })],
  ])(
    'survives a reload: a new queue over the same %s storage sees the items in order',
    async (_name, create) => {
      const storage = create();
      const { queue } = await queueWith(2, storage);
      await queue.add({ type: 'reaction.add', cid, message_id: 'm1', reaction_type: 'like' });
      await queue.flush(performer({ 'c-2': { status: 'failed', error: new Error('no') } }).perform);
      await queue.add(send(4));

      const reloaded = new SyncQueue(storage);
      expect(reloaded.getSnapshot().items).toEqual([]);
      await reloaded.load();
      expect(statuses(reloaded)).toEqual(['c-2:failed', 'c-4:pending']);
      expect(reloaded.getSnapshot().items[0]!.error).toEqual({ code: 'unknown', message: 'no', status: 0 });
      const { calls, perform } = performer();
      await reloaded.flush(perform);
      expect(calls).toEqual(['c-4']);
      storage.close?.();
    },
  );

  it('keeps only the latest pending read mark of a channel', async () => {
    const { queue, storage } = await queueWith(1);
    await queue.add({ type: 'read.mark', cid, message_id: 'm1' });
    await queue.add({ type: 'read.mark', cid: 'messaging:other', message_id: 'x1' });
    await queue.add(send(2));
    await queue.add({ type: 'read.mark', cid, message_id: 'm2' });
    const marks = (items: readonly QueueItem[]) =>
      items.map((item) =>
        item.op.type === 'read.mark' ? `${item.op.cid}@${item.op.message_id}` : label(item),
      );
    const expected = ['c-1', 'messaging:other@x1', 'c-2', `${cid}@m2`];
    expect(marks(queue.getSnapshot().items)).toEqual(expected);
    expect(marks(await storage.queue.list())).toEqual(expected);
  });

  it('flushes in order, one at a time, removing each sent item', async () => {
    const { queue, storage } = await queueWith(3);
    let active = 0;
    let maxActive = 0;
    const calls: string[] = [];
    const report = await queue.flush(async (item) => {
      calls.push(label(item));
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((resolve) => setTimeout(resolve, 1));
      active--;
      return { status: 'ok' };
    });
    expect(calls).toEqual(['c-1', 'c-2', 'c-3']);
    expect(maxActive).toBe(1);
    expect(report).toEqual({ sent: 3, failed: 0, stopped: false });
    expect(queue.getSnapshot().items).toEqual([]);
    expect(await storage.queue.list()).toEqual([]);
  });

  it('keeps an item on a retryable error, counts the attempt and resumes from it at its retry time', async () => {
    let now = 1000;
    const storage = createMemoryStorage();
    const queue = new SyncQueue(storage, { now: () => now, random: () => 0.5 });
    for (let n = 1; n <= 3; n++) await queue.add(send(n));
    const offline = performer({
      'c-2': { status: 'retry', error: new NetworkError({ code: 'timeout', message: 'slow' }) },
    });
    expect(await queue.flush(offline.perform)).toEqual({ sent: 1, failed: 0, stopped: true });
    expect(offline.calls).toEqual(['c-1', 'c-2']);
    expect(statuses(queue)).toEqual(['c-2:pending', 'c-3:pending']);
    const [second] = await storage.queue.list();
    // Half of the first backoff ceiling (1 s).
    expect(second).toMatchObject({
      attempts: 1,
      status: 'pending',
      retry_at: 1500,
      error: { code: 'timeout', message: 'slow' },
    });
    expect(queue.nextAttemptAt()).toBe(1500);

    const online = performer();
    expect(await queue.flush(online.perform)).toEqual({ sent: 0, failed: 0, stopped: false });
    now = 1500;
    expect(await queue.flush(online.perform)).toEqual({ sent: 2, failed: 0, stopped: false });
    expect(online.calls).toEqual(['c-2', 'c-3']);
    expect(queue.nextAttemptAt()).toBeUndefined();
  });

  it('marks an item failed on a permanent error, keeps it with the error, and goes on', async () => {
    const { queue, storage } = await queueWith(3);
    const forbidden = new PermissionError({ code: 'forbidden', message: 'Frozen', status: 403 });
    const { calls, perform } = performer({ 'c-2': { status: 'failed', error: forbidden } });
    expect(await queue.flush(perform)).toEqual({ sent: 2, failed: 1, stopped: false });
    expect(calls).toEqual(['c-1', 'c-2', 'c-3']);
    expect(queue.getSnapshot().items).toEqual([
      expect.objectContaining({
        status: 'failed',
        attempts: 1,
        error: { code: 'forbidden', message: 'Frozen', status: 403 },
      }),
    ]);
    expect(await storage.queue.list()).toEqual(queue.getSnapshot().items);
    // A failed item waits for retry or discard; flushing again skips it.
    const again = performer();
    expect(await queue.flush(again.perform)).toEqual({ sent: 0, failed: 0, stopped: false });
    expect(again.calls).toEqual([]);
  });

  it('classifies thrown errors: retryable ones hold back their channel, others fail the item', async () => {
    const { queue } = await queueWith(3);
    const network = new NetworkError({ code: 'network_error', message: 'down', retryable: true });
    const { calls, perform } = performer({ 'c-1': new TypeError('bug'), 'c-2': network });
    expect(await queue.flush(perform)).toEqual({ sent: 0, failed: 1, stopped: true });
    expect(calls).toEqual(['c-1', 'c-2']);
    expect(statuses(queue)).toEqual(['c-1:failed', 'c-2:pending', 'c-3:pending']);
  });

  it('still honours the deprecated maxAttempts when it is given', async () => {
    const storage = createMemoryStorage();
    const queue = new SyncQueue(storage, { maxAttempts: 2 });
    await queue.add(send(1));
    await queue.add(send(2));
    const { perform } = performer({ 'c-1': { status: 'retry' } });
    expect(await queue.flush(perform)).toEqual({ sent: 0, failed: 0, stopped: true });
    await queue.retryNow();
    expect(await queue.flush(perform)).toEqual({ sent: 1, failed: 1, stopped: false });
    expect(queue.getSnapshot().items).toEqual([expect.objectContaining({ status: 'failed', attempts: 2 })]);
  });

  it('is single-flight, and a running flush also sends what is added meanwhile', async () => {
    const { queue } = await queueWith(1);
    const gate = deferred();
    const calls: string[] = [];
    const perform: PerformItem = async (item) => {
      calls.push(label(item));
      return label(item) === 'c-1' ? gate.promise : { status: 'ok' };
    };
    const first = queue.flush(perform);
    const second = queue.flush(async () => {
      throw new Error('the second flush must not run');
    });
    expect(second).toBe(first);
    await vi.waitFor(() => expect(calls).toEqual(['c-1']));
    await queue.add(send(2));
    gate.resolve({ status: 'ok' });
    expect(await first).toEqual({ sent: 2, failed: 0, stopped: false });
    expect(calls).toEqual(['c-1', 'c-2']);
    // Once settled, a new flush runs again.
    await queue.add(send(3));
    expect(await queue.flush(perform)).toEqual({ sent: 1, failed: 0, stopped: false });
  });

  it('retries a failed item with a fresh count, performing it on the next flush', async () => {
    const { queue, storage } = await queueWith(2);
    await queue.flush(performer({ 'c-1': { status: 'failed', error: new Error('no') } }).perform);
    expect(statuses(queue)).toEqual(['c-1:failed']);
    await queue.retry(queue.getSnapshot().items[0]!.id);
    expect(queue.getSnapshot().items).toEqual([expect.objectContaining({ status: 'pending', attempts: 0 })]);
    expect(queue.getSnapshot().items[0]).not.toHaveProperty('error');
    expect(await storage.queue.list()).toEqual(queue.getSnapshot().items);
    const { calls, perform } = performer();
    await queue.flush(perform);
    expect(calls).toEqual(['c-1']);
    expect(queue.getSnapshot().items).toEqual([]);
  });

  it('ignores retry of an item that is not failed', async () => {
    const { queue } = await queueWith(1);
    const before = queue.getSnapshot();
    await queue.retry(before.items[0]!.id);
    await queue.retry(999);
    expect(queue.getSnapshot()).toBe(before);
  });

  it('discards an item from the state and the storage', async () => {
    const { queue, storage } = await queueWith(2);
    await queue.discard(queue.getSnapshot().items[0]!.id);
    expect(labels(queue)).toEqual(['c-2']);
    expect((await storage.queue.list()).map(label)).toEqual(['c-2']);
  });

  it('ignores the result of an item discarded while it was being sent', async () => {
    const { queue, storage } = await queueWith(2);
    const gate = deferred();
    const calls: string[] = [];
    const flushing = queue.flush(async (item) => {
      calls.push(label(item));
      return label(item) === 'c-1' ? gate.promise : { status: 'ok' };
    });
    await vi.waitFor(() => expect(calls).toEqual(['c-1']));
    await queue.discard(queue.getSnapshot().items[0]!.id);
    gate.resolve({ status: 'failed', error: new Error('no') });
    expect(await flushing).toEqual({ sent: 1, failed: 1, stopped: false });
    expect(queue.getSnapshot().items).toEqual([]);
    expect(await storage.queue.list()).toEqual([]);
  });

  it('shows the item being performed as sending, and whether a flush runs', async () => {
    const { queue } = await queueWith(2);
    const gate = deferred();
    const flushing = queue.flush(async (item) => (label(item) === 'c-1' ? gate.promise : { status: 'ok' }));
    await vi.waitFor(() => expect(statuses(queue)).toEqual(['c-1:sending', 'c-2:pending']));
    expect(queue.getSnapshot().flushing).toBe(true);
    gate.resolve({ status: 'retry' });
    await flushing;
    expect(statuses(queue)).toEqual(['c-1:pending', 'c-2:pending']);
    expect(queue.getSnapshot().flushing).toBe(false);
  });

  it('follows the store contract: no emit on subscribe, a new snapshot only on a change', async () => {
    const queue = new SyncQueue(createMemoryStorage());
    const listener = vi.fn();
    const stop = queue.subscribe(listener);
    expect(listener).not.toHaveBeenCalled();
    const empty = queue.getSnapshot();
    expect(queue.getSnapshot()).toBe(empty);
    await queue.add(send(1));
    expect(listener).toHaveBeenCalled();
    const withItem = queue.getSnapshot();
    expect(withItem).not.toBe(empty);
    listener.mockClear();
    await queue.retry(withItem.items[0]!.id); // not failed: nothing changes
    expect(listener).not.toHaveBeenCalled();
    expect(queue.getSnapshot()).toBe(withItem);
    stop();
    await queue.add(send(2));
    expect(listener).not.toHaveBeenCalled();
  });

  it('does not leave an item sending when the storage fails during a flush', async () => {
    const storage = createMemoryStorage();
    const { queue } = await queueWith(2, storage);
    const broken = new Error('disk full');
    vi.spyOn(storage.queue, 'remove').mockRejectedValueOnce(broken);
    await expect(queue.flush(performer().perform)).rejects.toBe(broken);
    expect(queue.getSnapshot().flushing).toBe(false);
    expect(statuses(queue)).toEqual(['c-2:pending']);
    // Next time it goes on; the first one was sent, and only its removal failed.
    const { calls, perform } = performer();
    await queue.flush(perform);
    expect(calls).toEqual(['c-2']);
  });

  it('lets a failed load be tried again', async () => {
    const storage = createMemoryStorage();
    await storage.queue.add({ op: send(1), status: 'pending', attempts: 0, created_at: 1 });
    vi.spyOn(storage.queue, 'list').mockRejectedValueOnce(new Error('locked'));
    const queue = new SyncQueue(storage);
    await expect(queue.load()).rejects.toThrow('locked');
    await queue.load();
    expect(labels(queue)).toEqual(['c-1']);
  });
});
