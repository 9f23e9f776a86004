import { createStore, type ReadableStore } from '../store';
import type { QueueItem, QueueItemError, QueueOperation, StorageAdapter } from './storage-adapter';

/**
 * What performing one item came to. `retry`: it may work later (offline, timeout, 5xx, 429), so
 * the flush stops and the item waits, in its place, for the next one. `failed`: it never will
 * (validation, permission, not found), so the item is marked failed and the flush goes on.
 */
export type PerformResult =
  | { status: 'ok' }
  | { status: 'retry'; error?: unknown }
  | { status: 'failed'; error: unknown };

/**
 * Performs one queued write against the server. May also throw: an error with
 * `retryable: true` (a `ChatError` such as `NetworkError`) counts as `retry`, any other as `failed`.
 */
export type PerformItem = (item: QueueItem) => Promise<PerformResult>;

export interface FlushReport {
  /** Items performed and removed from the queue. */
  sent: number;
  /** Items marked failed by this flush. */
  failed: number;
  /** Whether a retryable error ended the flush with pending items left. */
  stopped: boolean;
}

export interface SyncQueueState {
  /** Every unsent write, oldest first: `pending`, `sending` (at most one) or `failed`. */
  items: readonly QueueItem[];
  /** Whether a flush is running. */
  flushing: boolean;
}

export interface SyncQueueOptions {
  /** Default `Date.now`. */
  now?: () => number;
  /** Retryable failures after which an item is marked failed instead. Default 10. */
  maxAttempts?: number;
}

const EMPTY: SyncQueueState = { items: [], flushing: false };

/**
 * The durable queue of writes made offline (or not yet acknowledged). Items live in the storage
 * adapter, so they survive a reload, and are performed in order, one at a time, by `flush`. Its
 * state is a store, for the UI to show each write as sending or failed.
 *
 * @example
 * const queue = new SyncQueue(storage);
 * await queue.add({ type: 'message.send', cid, message: { client_msg_id: id, text: 'hi' } });
 * connection.subscribe(() => {
 *   if (connection.getSnapshot().status === 'connected') void queue.flush(performOverSocket);
 * });
 */
export class SyncQueue implements ReadableStore<SyncQueueState> {
  readonly #storage: StorageAdapter;
  readonly #now: () => number;
  readonly #maxAttempts: number;
  readonly #state = createStore<SyncQueueState>(EMPTY);
  #loading: Promise<void> | undefined;
  #flushing: Promise<FlushReport> | undefined;

  constructor(storage: StorageAdapter, options: SyncQueueOptions = {}) {
    this.#storage = storage;
    this.#now = options.now ?? Date.now;
    this.#maxAttempts = options.maxAttempts ?? 10;
  }

  getSnapshot = (): SyncQueueState => this.#state.getSnapshot();
  subscribe = (listener: () => void): (() => void) => this.#state.subscribe(listener);

  /** Reads the stored items into the state. Every other method waits for it; call it early. */
  load(): Promise<void> {
    this.#loading ??= this.#storage.queue.list().then(
      (stored) => {
        // Nothing is stored as `sending`, but a foreign adapter might; it was interrupted.
        const items = stored.map((item) =>
          item.status === 'sending' ? { ...item, status: 'pending' as const } : item,
        );
        this.#setItems(() => items);
      },
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    return this.#loading;
  }

  /**
   * Queues a write, stored before this resolves. A `read.mark` replaces the pending `read.mark`s
   * of the same channel queued before it.
   */
  async add(op: QueueOperation): Promise<QueueItem> {
    await this.load();
    const item = await this.#storage.queue.add({
      op,
      status: 'pending',
      attempts: 0,
      created_at: this.#now(),
    });
    // Concurrent adds may resolve out of order; the ids say the order.
    this.#setItems((items) => [...items, item].sort((a, b) => a.id - b.id));
    if (op.type === 'read.mark') await this.#dropEarlierReadMarks(item);
    return item;
  }

  /**
   * Performs the pending items in order, one at a time, until none is left or one fails with a
   * retryable error. Single-flight: while a flush runs, calling again returns the same promise
   * (items added meanwhile are performed by it). Failed items are skipped until `retry`.
   */
  flush(perform: PerformItem): Promise<FlushReport> {
    this.#flushing ??= this.#run(perform).finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  /** Makes a failed item pending again (its attempts start over); the next flush performs it. */
  async retry(id: number): Promise<void> {
    await this.load();
    const item = this.#find(id);
    if (item?.status !== 'failed') return;
    const { error: _error, ...rest } = item;
    await this.#save({ ...rest, status: 'pending', attempts: 0 });
  }

  /**
   * Drops an item. Dropping the one being sent does not stop it; its result is then ignored.
   */
  async discard(id: number): Promise<void> {
    await this.load();
    this.#setItems((items) => items.filter((item) => item.id !== id));
    await this.#storage.queue.remove(id);
  }

  async #run(perform: PerformItem): Promise<FlushReport> {
    await this.load();
    const report: FlushReport = { sent: 0, failed: 0, stopped: false };
    this.#state.setState((state) => ({ ...state, flushing: true }));
    let current: QueueItem | undefined;
    try {
      for (;;) {
        const next = this.#state.getSnapshot().items.find((item) => item.status === 'pending');
        if (!next) break;
        current = { ...next, status: 'sending' };
        this.#replace(current);
        const result = await perform(current).catch(classify);
        const item: QueueItem = current;
        current = undefined;
        if (result.status === 'ok') {
          report.sent++;
          this.#setItems((items) => items.filter((other) => other.id !== item.id));
          await this.#storage.queue.remove(item.id);
          continue;
        }
        const attempts = item.attempts + 1;
        const error = toQueueItemError(result.error);
        const retryable = result.status === 'retry' && attempts < this.#maxAttempts;
        if (this.#find(item.id)) {
          await this.#save({ ...item, status: retryable ? 'pending' : 'failed', attempts, error });
        }
        if (retryable) {
          report.stopped = true;
          break;
        }
        report.failed++;
      }
    } finally {
      // When storage threw mid-item, the item is not sent: show it pending again.
      const interrupted = current;
      if (interrupted && this.#find(interrupted.id)) this.#replace({ ...interrupted, status: 'pending' });
      this.#state.setState((state) => ({ ...state, flushing: false }));
    }
    return report;
  }

  /** A read mark makes the pending earlier ones of its channel pointless: the read position only moves on. */
  async #dropEarlierReadMarks(mark: QueueItem): Promise<void> {
    const ids = this.#state
      .getSnapshot()
      .items.filter(
        (item) =>
          item.id < mark.id &&
          item.status === 'pending' &&
          item.op.type === 'read.mark' &&
          item.op.cid === mark.op.cid,
      )
      .map((item) => item.id);
    if (ids.length === 0) return;
    this.#setItems((items) => items.filter((item) => !ids.includes(item.id)));
    await Promise.all(ids.map((id) => this.#storage.queue.remove(id)));
  }

  #find(id: number): QueueItem | undefined {
    return this.#state.getSnapshot().items.find((item) => item.id === id);
  }

  #setItems(update: (items: readonly QueueItem[]) => readonly QueueItem[]): void {
    this.#state.setState((state) => ({ ...state, items: update(state.items) }));
  }

  /** Replaces the item with the same id in the state, if it is still there. */
  #replace(item: QueueItem): void {
    this.#setItems((items) => items.map((other) => (other.id === item.id ? item : other)));
  }

  async #save(item: QueueItem): Promise<void> {
    this.#replace(item);
    await this.#storage.queue.update(item);
  }
}

function classify(error: unknown): PerformResult {
  const retryable =
    typeof error === 'object' && error !== null && 'retryable' in error && error.retryable === true;
  return retryable ? { status: 'retry', error } : { status: 'failed', error };
}

/** Keeps what a UI needs of an error in a form any storage can hold. */
export function toQueueItemError(error: unknown): QueueItemError {
  if (typeof error === 'object' && error !== null) {
    const { code, message, status } = error as { code?: unknown; message?: unknown; status?: unknown };
    return {
      code: typeof code === 'string' ? code : 'unknown',
      message: typeof message === 'string' ? message : String(error),
      status: typeof status === 'number' ? status : 0,
    };
  }
  return { code: 'unknown', message: error === undefined ? 'Failed' : String(error), status: 0 };
}
