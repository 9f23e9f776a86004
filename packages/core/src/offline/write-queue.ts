import type { ErrorBody } from '@chat/protocol';
import type { ConnectionManager } from '../connection/connection-manager';
import type { Clock, TimerHandle } from '../environment';
import { ChatError, NetworkError, toChatError } from '../errors';
import type { ReadableStore } from '../store';
import type { MessageFiles } from '../uploads/message-files';
import { frameOf, type QueueAck } from './queue-frames';
import type { QueuedUploads } from './queued-uploads';
import type { QueueItem, QueueOperation, StorageAdapter } from './storage-adapter';
import { type PerformResult, SyncQueue, type SyncQueueState } from './sync-queue';
import type { SyncRetryOptions } from './sync-retry';
import type { SyncedChannel } from './synced-channel';

type SendOperation = Extract<QueueOperation, { type: 'message.send' }>;

/** What a channel handle needs to route its writes through the durable queue. */
export interface ChannelSync {
  /** Queues a write; resolves with its ack once performed, rejects when it fails for good or is discarded. */
  submit<T extends QueueOperation>(op: T): Promise<QueueAck<T['type']>>;
  /**
   * Queues a send whose files (picked, in the client's `MessageFiles`) upload when the send's
   * turn comes, their bytes kept in the storage meanwhile; `undefined` when the storage keeps no
   * files (the caller uploads them at once instead).
   */
  submitFiles(cid: string, message: SendOperation['message']): Promise<QueueAck<'message.send'>> | undefined;
  /**
   * Queues the failed send of `clientMsgId` again, or tries it at once when it waits to retry
   * (with whatever waits before it); `undefined` when it is not queued.
   */
  retry(clientMsgId: string): Promise<QueueAck> | undefined;
  /** Drops the queued send of `clientMsgId` (a late ack is then ignored). */
  discard(clientMsgId: string): void;
  /** The queue's items, for showing what waits. */
  readonly queue: ReadableStore<SyncQueueState>;
}

/** An error kept by the queue (plain data, after a reload), as the class the rest of the SDK uses. */
const fromStored = (error: QueueItem['error']): ChatError =>
  toChatError({
    code: (error?.code ?? 'network_error') as ErrorBody['code'],
    message: error?.message ?? 'Failed',
    status: error?.status ?? 0,
    retryable: false,
  });

/** The outcome of one queued write, shared by everyone waiting for it (the send, a retry). */
interface Waiter {
  promise: Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export interface WriteQueueInit {
  storage: StorageAdapter;
  connection: ConnectionManager;
  clock: Clock;
  /** A number in [0, 1), for the retry jitter. Default `Math.random`. */
  random?: () => number;
  /** How queued writes are retried; see `SyncRetryOptions`. */
  retry?: Partial<SyncRetryOptions>;
  /** The handle of a cid (created when missing). */
  channel(cid: string): SyncedChannel;
  /** The files of messages being sent, for sends queued with files. */
  files?: MessageFiles;
}

/**
 * The user's writes, performed from the durable `SyncQueue` in order whenever connected. A write
 * that failed with a retryable error is retried by a timer at its retry time, so the queue drains
 * by itself once the server recovers; a new write leaves the waiting ones alone, while a
 * reconnect (a real sign the server may be back) or `retryPending()` tries them at once.
 */
export class WriteQueue implements ChannelSync {
  readonly queue: SyncQueue;
  private readonly waiters = new Map<number, Waiter>();
  /** Uploads of queued sends' files (loaded with the first); none when the storage keeps no files. */
  private readonly uploads: (() => Promise<QueuedUploads>) | undefined;
  private readonly stops: (() => void)[] = [];
  /** Flushes the queue when its next waiting write is due. */
  private retryTimer: TimerHandle | undefined;
  private connected = false;
  /** Failed items already reported, so each failure is reported once. */
  private readonly reported = new Set<number>();
  /** The last error of each item in this session, as thrown (its class intact). */
  private readonly errors = new Map<number, unknown>();
  /** The last write being queued (see `enqueue`). */
  private adding: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly init: WriteQueueInit) {
    this.queue = new SyncQueue(init.storage, {
      now: () => init.clock.now(),
      random: init.random,
      retry: init.retry,
    });
    const { storage, files } = init;
    let loading: Promise<QueuedUploads> | undefined;
    const fileStorage = storage.files;
    this.uploads =
      fileStorage && files
        ? () =>
            (loading ??= import('./queued-uploads').then(
              (m) =>
                new m.QueuedUploads({
                  storage: fileStorage,
                  files,
                  show: (op, shown) => init.channel(op.cid).showFiles(op.message.client_msg_id, shown),
                  amend: (item, queued) =>
                    this.queue.amend(item.id, { ...(item.op as SendOperation), files: queued }),
                  wake: () => void this.retryPending().catch(() => {}),
                }),
            ))
        : undefined;
    const isConnected = () => init.connection.state.getSnapshot().status === 'connected';
    this.connected = isConnected();
    this.stops.push(
      init.connection.state.subscribe(() => {
        const wasConnected = this.connected;
        this.connected = isConnected();
        if (this.connected && !wasConnected) this.retryPending().catch(() => {});
      }),
      this.queue.subscribe(() => this.reconcile()),
    );
  }

  /** Loads the queue, showing its unsent messages again (after a reload). */
  async load(): Promise<void> {
    await this.queue.load();
    if (this.closed) return;
    for (const item of this.queue.getSnapshot().items) {
      const { op } = item;
      if (op.type !== 'message.send') continue;
      const files = op.files?.length && this.uploads ? await (await this.uploads()).restore(op) : undefined;
      if (this.closed) return;
      this.init
        .channel(op.cid)
        .restoreUnsent(
          op.message,
          new Date(item.created_at).toISOString(),
          item.status === 'failed' ? fromStored(item.error) : undefined,
          files,
        );
    }
  }

  submit<T extends QueueOperation>(op: T): Promise<QueueAck<T['type']>> {
    return this.enqueue(async () => op);
  }

  submitFiles(cid: string, message: SendOperation['message']): Promise<QueueAck<'message.send'>> | undefined {
    const { uploads } = this;
    if (!uploads || !this.init.files?.has(message.client_msg_id)) return undefined;
    return this.enqueue(async () => {
      const files = await (await uploads()).keep(message.client_msg_id);
      return { type: 'message.send' as const, cid, message, files };
    });
  }

  /**
   * Queues writes in the order they were made, even when one's files are stored first (a text
   * sent after a photo goes after it); resolves with the write's ack.
   */
  private enqueue<T extends QueueOperation>(make: () => Promise<T>): Promise<QueueAck<T['type']>> {
    const added = this.adding.then(make).then((op) => this.queue.add(op));
    this.adding = added.catch(() => {});
    return added.then((item) => {
      const done = this.wait(item.id);
      this.flush();
      return done as Promise<QueueAck<T['type']>>;
    });
  }

  retry(clientMsgId: string): Promise<QueueAck> | undefined {
    const item = this.sendOf(clientMsgId);
    if (!item) return undefined;
    const done = this.wait(item.id) as Promise<QueueAck>;
    if (item.status === 'failed') void this.queue.retry(item.id).then(() => this.flush());
    else this.retryPending().catch(() => {});
    return done;
  }

  /**
   * Tries the writes waiting for their retry time at once (the user's "retry now", or a
   * reconnect). Their backoff is kept: failing again, they wait longer.
   */
  async retryPending(): Promise<void> {
    await this.queue.retryNow();
    this.flush();
  }

  discard(clientMsgId: string): void {
    const item = this.sendOf(clientMsgId);
    if (!item) return;
    this.waiters.get(item.id)?.reject(new ChatError({ code: 'aborted', message: 'Discarded' }));
    this.waiters.delete(item.id);
    this.forgetFiles(item.op);
    // The channel's next write may have waited only for this one.
    void this.queue.discard(item.id).then(
      () => this.flush(),
      () => {},
    );
  }

  /**
   * Performs what is due now if connected (single-flight; a no-op while offline), then sets the
   * timer for what waits.
   */
  flush(): void {
    if (this.closed || this.init.connection.state.getSnapshot().status !== 'connected') return;
    void this.queue
      .flush((item) => this.perform(item))
      .then(
        () => this.scheduleRetry(),
        () => {},
      );
  }

  private scheduleRetry(): void {
    const { clock } = this.init;
    if (this.retryTimer !== undefined) clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const at = this.queue.nextAttemptAt();
    if (this.closed || at === undefined) return;
    this.retryTimer = clock.setTimeout(
      () => {
        this.retryTimer = undefined;
        this.flush();
      },
      Math.max(0, at - clock.now()),
    );
  }

  private async perform(item: QueueItem): Promise<PerformResult> {
    // A drop between two items: it waits, and the next connection tries it at once.
    if (this.closed || this.init.connection.state.getSnapshot().status !== 'connected') {
      return {
        status: 'retry',
        error: new NetworkError({ code: 'not_connected', message: 'Not connected' }),
      };
    }
    const { op } = item;
    const result = await this.request(item).catch((error: unknown) => {
      this.errors.set(item.id, error);
      throw error;
    });
    this.errors.delete(item.id);
    // Discarded while in flight: its result is ignored.
    if (!this.closed && this.queue.getSnapshot().items.some((other) => other.id === item.id)) {
      this.init.channel(op.cid).applyAck(op, result);
    }
    this.forgetFiles(op);
    this.waiters.get(item.id)?.resolve(result);
    this.waiters.delete(item.id);
    return { status: 'ok' };
  }

  /** Performs a write; a send with files not uploaded yet has them uploaded first (see `QueuedUploads`). */
  private async request(item: QueueItem): Promise<QueueAck> {
    const { op } = item;
    if (op.type === 'message.send' && op.files && this.uploads) (await this.uploads()).ready(item, op);
    return this.init.connection.request(frameOf(op));
  }

  /** A send with files went or was discarded: its files' bytes and previews go. */
  private forgetFiles(op: QueueOperation): void {
    if (op.type === 'message.send' && op.files) void this.uploads?.().then((u) => u.forget(op));
  }

  /** Failed items: reject their callers, show sends as failed and drop the other writes. */
  private reconcile(): void {
    const items = this.queue.getSnapshot().items;
    // Gone without being performed: a newer read mark replaced it. Its effect comes with that one.
    for (const [id, waiter] of this.waiters) {
      if (items.some((i) => i.id === id)) continue;
      this.waiters.delete(id);
      waiter.resolve(undefined);
    }
    for (const id of this.reported)
      if (!items.some((i) => i.id === id && i.status === 'failed')) this.reported.delete(id);
    for (const item of items) {
      if (item.status !== 'failed' || this.reported.has(item.id)) continue;
      this.reported.add(item.id);
      const thrown = this.errors.get(item.id);
      this.errors.delete(item.id);
      const error = thrown instanceof ChatError ? thrown : fromStored(item.error);
      const waiter = this.waiters.get(item.id);
      this.waiters.delete(item.id);
      waiter?.reject(error);
      if (item.op.type === 'message.send') {
        this.init.channel(item.op.cid).markFailed(item.op.message.client_msg_id, error);
      } else {
        // Only a send can be retried from the UI; any other refused write is undone by its
        // caller (or, after a reload, never shown) and leaves the queue.
        void this.queue.discard(item.id).catch(() => {});
      }
    }
  }

  private wait(id: number): Promise<unknown> {
    const waiting = this.waiters.get(id);
    if (waiting) return waiting.promise;
    let resolve!: Waiter['resolve'];
    let reject!: Waiter['reject'];
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.waiters.set(id, { promise, resolve, reject });
    return promise;
  }

  private sendOf(clientMsgId: string): QueueItem | undefined {
    return this.queue
      .getSnapshot()
      .items.find((i) => i.op.type === 'message.send' && i.op.message.client_msg_id === clientMsgId);
  }

  /** Stops at once and rejects waiting callers (their writes stay queued for the next session). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer !== undefined) this.init.clock.clearTimeout(this.retryTimer);
    for (const stop of this.stops) stop();
    const error = new ChatError({ code: 'not_connected', message: 'Disconnected' });
    for (const waiter of this.waiters.values()) waiter.reject(error);
    this.waiters.clear();
  }
}
