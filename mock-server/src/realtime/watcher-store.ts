import type { Redis } from 'ioredis';

/**
 * Which users watch which channel, across every node. A node reports a user when their first
 * socket on it starts watching and when their last one stops. In one process a map; across
 * processes a Redis sorted set per channel whose entries expire unless their node refreshes
 * them, so the watchers of a crashed node drop out by themselves.
 */
export interface WatcherStore {
  /** Records users who started (true) or stopped (false) watching the channel from this node. */
  apply(channelId: string, changes: ReadonlyMap<string, boolean>): Promise<void>;
  /** Users watching the channel now, on any node. */
  count(channelId: string): Promise<number>;
  /** Keeps this node's watchers alive (called periodically). */
  refresh(entries: Iterable<{ channelId: string; userId: string }>): Promise<void>;
}

export function createMemoryWatchers(): WatcherStore {
  const channels = new Map<string, Set<string>>();
  return {
    async apply(channelId, changes) {
      const users = channels.get(channelId) ?? new Set();
      for (const [userId, watching] of changes) {
        if (watching) users.add(userId);
        else users.delete(userId);
      }
      if (users.size === 0) channels.delete(channelId);
      else channels.set(channelId, users);
    },
    async count(channelId) {
      return channels.get(channelId)?.size ?? 0;
    },
    async refresh() {},
  };
}

/**
 * In Redis: `watchers:{channelId}` scores each user by when their entry expires. A user watching
 * from two nodes who stops on one is removed until the other node's next refresh puts them back:
 * the count may dip for one refresh period, never stay wrong.
 */
export function createRedisWatchers(redis: Redis, ttlMs: number, prefix = 'chat:'): WatcherStore {
  const key = (channelId: string) => `${prefix}watchers:${channelId}`;
  return {
    async apply(channelId, changes) {
      const expiry = Date.now() + ttlMs;
      const added: (string | number)[] = [];
      const removed: string[] = [];
      for (const [userId, watching] of changes) {
        if (watching) added.push(expiry, userId);
        else removed.push(userId);
      }
      const tx = redis.multi();
      // GT adds a new user, and never moves an entry's expiry back.
      if (added.length) tx.zadd(key(channelId), 'GT', ...added).pexpire(key(channelId), ttlMs * 2);
      if (removed.length) tx.zrem(key(channelId), ...removed);
      await tx.exec();
    },
    async count(channelId) {
      const now = Date.now();
      const results = await redis
        .multi()
        .zremrangebyscore(key(channelId), '-inf', now)
        .zcard(key(channelId))
        .exec();
      return Number(results?.[1]?.[1] ?? 0);
    },
    async refresh(entries) {
      const expiry = Date.now() + ttlMs;
      const pipeline = redis.pipeline();
      for (const { channelId, userId } of entries) {
        pipeline.zadd(key(channelId), 'GT', expiry, userId);
        pipeline.pexpire(key(channelId), ttlMs * 2);
      }
      await pipeline.exec();
    },
  };
}
