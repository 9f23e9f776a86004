import { ChannelCache, type ChannelCacheInit } from './channel-cache';
import type { SyncedChannel } from './synced-channel';
import { WriteQueue, type WriteQueueInit } from './write-queue';

export type { ChannelSync } from './write-queue';

export interface OfflineSyncInit extends ChannelCacheInit, WriteQueueInit {}

/**
 * The offline wiring of one connected user: its cache (`ChannelCache`: loaded at connect, written
 * back as state changes) and its queue of writes (`WriteQueue`: performed in order whenever
 * connected; channels route their writes through `writes`).
 */
export class OfflineSync {
  readonly cache: ChannelCache;
  readonly writes: WriteQueue;

  constructor(init: OfflineSyncInit) {
    this.cache = new ChannelCache(init);
    this.writes = new WriteQueue(init);
  }

  /** Loads the cache (best effort), then the queue, rebuilding unsent messages from it. */
  async load(): Promise<void> {
    await this.cache.load();
    await this.writes.load();
  }

  /** Starts persisting a channel handle's state as it changes. */
  track(channel: SyncedChannel): void {
    this.cache.track(channel);
  }

  /** Tries the writes waiting for their retry time at once (the user's "retry now"). */
  retryPending(): Promise<void> {
    return this.writes.retryPending();
  }

  /**
   * Stops syncing at once (a load in progress puts nothing more into the stores), writes the
   * pending state, and rejects waiting callers (their writes stay queued for the next session).
   */
  async close(): Promise<void> {
    this.writes.close();
    await this.cache.close();
  }
}
