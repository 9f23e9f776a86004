import { createStore, type ReadableStore } from '../store';
import type { QueueItem, QueueItemError, QueueOperation, StorageAdapter } from './storage-adapter';
import { DEFAULT_SYNC_RETRY, isRetryableFailure, type SyncRetryOptions, syncRetryDelay } from './sync-retry';

/**
 * What performing one item came to. `retry`: it may work later (offline, timeout, 5xx, 429), so
 * the item waits, in its place, until its retry time (backoff, or the server's `retry_after_ms`),
 * holding back the later items of its channel. `failed`: it never will (validation, permission,
 * not found), so the item is marked failed. Either way the flush goes on with what else is due.
 */
export type PerformResult =
  | { status: 'ok' }
  | { status: 'retry'; error?: unknown }
  | { status: 'failed'; error: unknown };

/**
 * Performs one queued write against the server. May also throw: an error with
 * `retryable: true` (a `ChatError` such as `NetworkError`) or one of no answer (`network_error`,
 * `timeout`, `connection_closed`, `not_connected`) counts as `retry`, any other as `failed`.
 */
export type PerformItem = (item: QueueItem) => Promise<PerformResult>;

export interface FlushReport {
  /** Items performed and removed from the queue. */
  sent: number;
  /** Items marked failed by this flush. */
  failed: number;
  /** Whether retryable errors left items waiting for their retry time. */
  stopped: boolean;
}

export interface SyncQueueState {
  /**
   * Every unsent write, oldest first: `pending` (with `retry_at` when waiting to retry),
   * `sending` (at most one) or `failed`.
   */
  items: readonly QueueItem[];
  /** Whether a flush is running. */
  flushing: boolean;
}

export interface SyncQueueOptions {
  /** Default `Date.now`. */
  now?: () => number;
  /** A number in [0, 1), for the backoff jitter. Default `Math.random`. */
  random?: () => number;
  /** The backoff and the time horizon of retries; see `SyncRetryOptions`. */
  retry?: Partial<SyncRetryOptions>;
  /**
   * @deprecated A count lets a fast outage burn it in seconds: the time horizon
   * (`retry.horizonMs`) is the budget. When set, an item is also marked failed after this many
   * retryable failures. Default: no limit.
   */
  maxAttempts?: number;
}

const EMPTY: SyncQueueState = { items: [], flushing: false };

/**
 * The durable queue of writes made offline (or not yet acknowledged). Items live in the storage
 * adapter, so they survive a reload, and are performed one at a time by `flush`, in order within
 * each channel. An item that fails with a retryable error waits until its `retry_at` (exponential
 * backoff with jitter, or the server's `retry_after_ms`) and holds back the later items of its
 * channel; other channels go on. It is marked failed only when refused for good, or when it
 * still fails after `retry.horizonMs` (24 h). `nextAttemptAt()` says when to flush again. Its
 * state is a store, for the UI to show each write as waiting, sending or failed.
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
  readonly #random: () => number;
  readonly #retry: SyncRetryOptions;
  readonly #maxAttempts: number;
  readonly #state = createStore<SyncQueueState>(EMPTY);
  #loading: Promise<void> | undefined;
  #flushing: Promise<FlushReport> | undefined;

  constructor(storage: StorageAdapter, options: SyncQueueOptions = {}) {
    this.#storage = storage;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#retry = { ...DEFAULT_SYNC_RETRY, ...options.retry };
    this.#maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
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
   * Performs the items that are due, one at a time, in order within each channel: pending ones
   * whose `retry_at` has come, unless an earlier item of their channel waits. Each item is tried
   * at most once per flush. Single-flight: while a flush runs, calling again returns the same
   * promise (items added meanwhile are performed by it). Failed items are skipped until `retry`.
   */
  flush(perform: PerformItem): Promise<FlushReport> {
    this.#flushing ??= this.#run(perform).finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  /**
   * When the next flush has something to perform: the earliest `retry_at` of the items that
   * wait, a time not after now when an item is due already, `undefined` when none is pending.
   */
  nextAttemptAt(): number | undefined {
    let next: number | undefined;
    for (const item of this.#heads()) {
      if (item.status !== 'pending') continue;
      const at = item.retry_at ?? this.#now();
      if (next === undefined || at < next) next = at;
    }
    return next;
  }

  /**
   * Makes every waiting item due now, for a real signal that the server may be reachable again
   * (a reconnect) or the user's "retry now"; the next flush performs them. Attempts are kept, so
   * a next failure backs off further.
   */
  async retryNow(): Promise<void> {
    await this.load();
    const waiting = this.#state
      .getSnapshot()
      .items.filter((item) => item.status === 'pending' && item.retry_at !== undefined);
    await Promise.all(waiting.map(({ retry_at: _retryAt, ...item }) => this.#save(item)));
  }

  /**
   * Makes a failed item pending again (its attempts start over); the next flush performs it.
   * The horizon still counts from when it was queued.
   */
  async retry(id: number): Promise<void> {
    await this.load();
    const item = this.#find(id);
    if (item?.status !== 'failed') return;
    const { error: _error, retry_at: _retryAt, ...rest } = item;
    await this.#save({ ...rest, status: 'pending', attempts: 0 });
  }

  /**
   * Replaces an item's operation (a send's files, once uploaded), stored before this resolves.
   * Does nothing when the item is gone.
   */
  async amend(id: number, op: QueueOperation): Promise<void> {
    await this.load();
    const item = this.#find(id);
    if (!item) return;
    const amended = { ...item, op };
    this.#replace(amended);
    // Never stored as `sending` (see `load`).
    await this.#storage.queue.update(item.status === 'sending' ? { ...amended, status: 'pending' } : amended);
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
    // Tried in this flush and waiting again: a zero backoff must not make the flush spin on it.
    const tried = new Set<number>();
    this.#state.setState((state) => ({ ...state, flushing: true }));
    let current: QueueItem | undefined;
    try {
      for (let next = this.#nextDue(tried); next; next = this.#nextDue(tried)) {
        const { retry_at: _retryAt, ...due } = next;
        current = { ...due, status: 'sending' };
        this.#replace(current);
        const result = await perform(current).catch(classify);
        // Its operation may have been amended meanwhile (`amend`): what is saved keeps that.
        const item: QueueItem = { ...current, op: this.#find(current.id)?.op ?? current.op };
        current = undefined;
        if (result.status === 'ok') {
          report.sent++;
          this.#setItems((items) => items.filter((other) => other.id !== item.id));
          await this.#storage.queue.remove(item.id);
          continue;
        }
        tried.add(item.id);
        const after = this.#afterFailure(item, result);
        if (after.status === 'failed') report.failed++;
        else report.stopped = true;
        if (this.#find(item.id)) await this.#save(after);
      }
    } finally {
      // When storage threw mid-item, the item is not sent: show it pending again.
      const interrupted = current;
      if (interrupted && this.#find(interrupted.id)) this.#replace({ ...interrupted, status: 'pending' });
      this.#state.setState((state) => ({ ...state, flushing: false }));
    }
    return report;
  }

  /**
   * What a failed attempt leaves: the item waiting until its retry time, or failed when it was
   * refused for good or still fails after the horizon.
   */
  #afterFailure(item: QueueItem, result: Exclude<PerformResult, { status: 'ok' }>): QueueItem {
    const now = this.#now();
    const attempts = item.attempts + 1;
    const error = toQueueItemError(result.error);
    const expired = now - item.created_at >= this.#retry.horizonMs || attempts >= this.#maxAttempts;
    if (result.status === 'failed' || expired) return { ...item, status: 'failed', attempts, error };
    const delay = syncRetryDelay(attempts, result.error, this.#retry, this.#random);
    return { ...item, status: 'pending', attempts, error, retry_at: now + delay };
  }

  /**
   * The first unfinished item of each channel: only it may be performed. Failed items wait for
   * `retry` and hold nothing back.
   */
  #heads(): QueueItem[] {
    const channels = new Set<string>();
    const heads: QueueItem[] = [];
    for (const item of this.#state.getSnapshot().items) {
      if (item.status === 'failed' || channels.has(item.op.cid)) continue;
      channels.add(item.op.cid);
      heads.push(item);
    }
    return heads;
  }

  /** The oldest item to perform now, if any. */
  #nextDue(tried: ReadonlySet<number>): QueueItem | undefined {
    const now = this.#now();
    return this.#heads().find(
      (item) => item.status === 'pending' && !tried.has(item.id) && (item.retry_at ?? now) <= now,
    );
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
  return isRetryableFailure(error) ? { status: 'retry', error } : { status: 'failed', error };
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
