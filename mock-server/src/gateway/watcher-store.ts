import type { Redis } from 'ioredis';

/**
 * Which users watch which channel, across every node. A node reports a user when their first
 * socket on it starts watching and when their last one stops. In one process a map; across
 * processes a Redis sorted set per channel whose entries expire unless their node refreshes
 * them, so the watchers of a crashed node drop out by themselves.
 */
export interface WatcherStore {
  add(channelId: string, userId: string): Promise<void>;
  remove(channelId: string, userId: string): Promise<void>;
  /** Users watching the channel now, on any node. */
  count(channelId: string): Promise<number>;
  /** Keeps this node's watchers alive (called periodically). */
  refresh(entries: Iterable<{ channelId: string; userId: string }>): Promise<void>;
}

export function createMemoryWatchers(): WatcherStore {
  const channels = new Map<string, Set<string>>();
  return {
    async add(channelId, userId) {
      let users = channels.get(channelId);
      if (!users) {
        users = new Set();
        channels.set(channelId, users);
      }
      users.add(userId);
    },
    async remove(channelId, userId) {
      const users = channels.get(channelId);
      users?.delete(userId);
      if (users?.size === 0) channels.delete(channelId);
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
    async add(channelId, userId) {
      await redis
        .multi()
        // GT adds a new user, and never moves an entry's expiry back.
        .zadd(key(channelId), 'GT', Date.now() + ttlMs, userId)
        .pexpire(key(channelId), ttlMs * 2)
        .exec();
    },
    async remove(channelId, userId) {
      await redis.zrem(key(channelId), userId);
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
