import { openRedis } from '../bus/redis-connection';
import type { PresenceStore } from './presence-store';

/**
 * Presence in Redis: one sorted set per user (connection id → expiry time), and an index of users
 * by their latest expiry so that any node can find users whose connections all expired.
 */
export async function createRedisPresence(
  url: string,
  ttlMs: number,
  prefix = 'chat:',
): Promise<PresenceStore> {
  // Keys carry the deployment's prefix, so deployments sharing one Redis never sweep each other.
  const INDEX = `${prefix}presence:index`;
  const userKey = (appId: string, userId: string) => `${prefix}presence:${appId}:${userId}`;
  // Commands fail at once while Redis is away: presence degrades and is repaired on its return.
  const redis = openRedis(url);
  await redis.connect();

  const live = async (key: string, now: number) => {
    const [, count] = (await redis.multi().zremrangebyscore(key, '-inf', now).zcard(key).exec()) ?? [];
    return Number(count?.[1] ?? 0);
  };

  return {
    async connect(appId, userId, connectionId) {
      const key = userKey(appId, userId);
      const now = Date.now();
      const expiry = now + ttlMs;
      const results = await redis
        .multi()
        .zremrangebyscore(key, '-inf', now)
        .zcard(key)
        .zadd(key, expiry, connectionId)
        .pexpire(key, ttlMs * 2)
        .zadd(INDEX, 'GT', expiry, `${appId}:${userId}`)
        .exec();
      return Number(results?.[1]?.[1] ?? 0);
    },
    async disconnect(appId, userId, connectionId) {
      const key = userKey(appId, userId);
      await redis.zrem(key, connectionId);
      const none = (await live(key, Date.now())) === 0;
      if (none) await redis.zrem(INDEX, `${appId}:${userId}`);
      return none;
    },
    async count(appId, userId) {
      return live(userKey(appId, userId), Date.now());
    },
    async refresh(connections) {
      const expiry = Date.now() + ttlMs;
      const pipeline = redis.pipeline();
      for (const c of connections) {
        const key = userKey(c.appId, c.userId);
        pipeline.zadd(key, expiry, c.connectionId).pexpire(key, ttlMs * 2);
        pipeline.zadd(INDEX, 'GT', expiry, `${c.appId}:${c.userId}`);
      }
      await pipeline.exec();
    },
    async sweep() {
      const now = Date.now();
      const due = await redis.zrangebyscore(INDEX, '-inf', now, 'LIMIT', 0, 200);
      const gone: { appId: string; userId: string }[] = [];
      for (const member of due) {
        const [appId, userId] = member.split(':') as [string, string];
        if ((await live(userKey(appId, userId), now)) > 0) continue;
        // ZREM answers 1 to exactly one node: that node reports the user offline.
        if ((await redis.zrem(INDEX, member)) === 1) gone.push({ appId, userId });
      }
      return gone;
    },
    async close() {
      await redis.quit().catch(() => undefined);
    },
  };
}
