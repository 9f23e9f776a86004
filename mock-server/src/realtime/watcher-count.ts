import type { Logger } from 'pino';
import { failureLevel } from '../kernel/dependency-status';
import type { WatcherStore } from './watcher-store';

export interface WatchedChannel {
  appId: string;
  channelId: string;
  cid: string;
}

/**
 * Counts the users watching each channel and announces changes. This node tells the store only
 * when a user's first socket here starts watching or their last one stops; announcements are
 * coalesced per channel to one per `throttleMs`, so a reconnect storm of N watchers costs a few
 * broadcasts, not N.
 */
export class WatcherCounter {
  /** Sockets per user per channel, on this node. */
  private readonly local = new Map<string, Map<string, number>>();
  private readonly channels = new Map<string, WatchedChannel>();
  /**
   * Store writes per channel, one at a time and in order: the changes that arrive while one is
   * being written go together in the next (a crowd re-watching a channel after a restart is a
   * few writes, not one per user). `tail` settles once every change so far is in the store.
   */
  private readonly writes = new Map<
    string,
    { tail: Promise<void>; next: Map<string, boolean> | undefined }
  >();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Changes the store refused (Redis down), per channel, written again by `repair`. */
  private readonly unsynced = new Map<string, Map<string, boolean>>();

  constructor(
    private readonly store: WatcherStore,
    private readonly options: {
      throttleMs: number;
      announce(channel: WatchedChannel, count: number): Promise<void> | void;
      logger: Logger;
    },
  ) {}

  watched(channel: WatchedChannel, userId: string): void {
    this.channels.set(channel.channelId, channel);
    let users = this.local.get(channel.channelId);
    if (!users) {
      users = new Map();
      this.local.set(channel.channelId, users);
    }
    const sockets = (users.get(userId) ?? 0) + 1;
    users.set(userId, sockets);
    if (sockets === 1) this.update(channel.channelId, userId, true);
  }

  unwatched(channelId: string, userId: string): void {
    const users = this.local.get(channelId);
    const sockets = (users?.get(userId) ?? 0) - 1;
    if (!users || sockets < 0) return;
    if (sockets > 0) {
      users.set(userId, sockets);
      return;
    }
    users.delete(userId);
    if (users.size === 0) this.local.delete(channelId);
    this.update(channelId, userId, false);
  }

  /**
   * The channel's watchers once this node's updates so far are in the store; with the store
   * down, this node's own (the best it knows until `repair`).
   */
  async count(channelId: string): Promise<number> {
    await this.writes.get(channelId)?.tail;
    return this.store.count(channelId).catch(() => this.local.get(channelId)?.size ?? 0);
  }

  /**
   * The store is back (it may have lost everything): writes the changes that failed, puts this
   * node's watchers back, and announces every channel watched here again, so counts that went
   * wrong during the outage are set right.
   */
  async repair(): Promise<void> {
    const unsynced = [...this.unsynced];
    this.unsynced.clear();
    // What is true now, not what failed: a later change of the same user may have gone through.
    for (const [channelId, changes] of unsynced) {
      for (const userId of changes.keys())
        this.update(channelId, userId, this.local.get(channelId)?.has(userId) ?? false);
    }
    await Promise.all([...this.writes.values()].map((write) => write.tail));
    await this.refresh();
    for (const channelId of this.local.keys()) this.scheduleAnnouncement(channelId);
  }

  /** This node's watchers, for the periodic refresh. */
  *entries(): Iterable<{ channelId: string; userId: string }> {
    for (const [channelId, users] of this.local)
      for (const userId of users.keys()) yield { channelId, userId };
  }

  refresh(): Promise<void> {
    return this.store.refresh(this.entries());
  }

  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private update(channelId: string, userId: string, watching: boolean): void {
    let channel = this.writes.get(channelId);
    if (!channel) {
      channel = { tail: Promise.resolve(), next: undefined };
      this.writes.set(channelId, channel);
    }
    if (channel.next) {
      // A write is queued and not started: this change goes with it (a later change of the same
      // user replaces an earlier one).
      channel.next.set(userId, watching);
    } else {
      const changes = new Map([[userId, watching]]);
      channel.next = changes;
      const state = channel;
      const tail = state.tail
        .then(() => {
          if (state.next === changes) state.next = undefined; // started: later changes queue anew
          return this.store.apply(channelId, changes);
        })
        .catch((error) => {
          const failed = this.unsynced.get(channelId) ?? new Map<string, boolean>();
          this.unsynced.set(channelId, failed);
          for (const [userId, watching] of changes) failed.set(userId, watching);
          this.options.logger[failureLevel('warn')]({ err: error }, 'watcher count update failed');
        });
      state.tail = tail;
      void tail.then(() => {
        if (this.writes.get(channelId) === state && state.tail === tail) this.writes.delete(channelId);
      });
    }
    this.scheduleAnnouncement(channelId);
  }

  private scheduleAnnouncement(channelId: string): void {
    if (this.timers.has(channelId)) return;
    const timer = setTimeout(() => {
      this.timers.delete(channelId);
      const channel = this.channels.get(channelId);
      if (!this.local.has(channelId)) this.channels.delete(channelId);
      if (!channel) return;
      this.count(channelId)
        .then((count) => this.options.announce(channel, count))
        .catch((error) => this.options.logger[failureLevel('warn')]({ err: error }, 'watcher count failed'));
    }, this.options.throttleMs);
    timer.unref();
    this.timers.set(channelId, timer);
  }
}
