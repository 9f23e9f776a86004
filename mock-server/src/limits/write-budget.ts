import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { isDependencyFailure } from '../kernel/dependency-failure';
import { ChatError } from '../kernel/errors';

/**
 * Per-user budget for writes (sends, edits, deletes, reactions, and the REST routes that change
 * things), one budget whether they come over the socket or REST. In Redis when the server runs
 * on several nodes, so a user cannot multiply it by connecting to each, or by switching transport;
 * in the node's memory while Redis is unreachable (a send never waits on Redis).
 */
export interface WriteBudget {
  /**
   * Runs `write` on one write of the user's budget; throws `rate_limited` with `retry_after_ms`
   * when the budget is gone. A write that fails because the database is away or saturated is
   * given back: the client retries it, and an outage must not use up the budget it needs after.
   */
  metered<T>(appId: string, userId: string, write: () => Promise<T>): Promise<T>;
}

export function createWriteBudget(options: {
  points: number;
  durationSeconds: number;
  redis?: Redis;
  /** Redis key prefix of the deployment. */
  prefix?: string;
}): WriteBudget {
  const keyPrefix = `${options.prefix ?? 'chat:'}writes`;
  const local = new RateLimiterMemory({
    keyPrefix,
    points: options.points,
    duration: options.durationSeconds,
  });
  const limiter = options.redis
    ? new RateLimiterRedis({
        storeClient: options.redis,
        keyPrefix,
        points: options.points,
        duration: options.durationSeconds,
        // With Redis away, this node's own budget stands in: sends go on, still limited (per node).
        insuranceLimiter: local,
      })
    : local;
  return {
    async metered(appId, userId, write) {
      const key = `${appId}:${userId}`;
      try {
        await limiter.consume(key);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        throw new ChatError('rate_limited', 'Too many writes; slow down', {
          retry_after_ms: error.msBeforeNext,
        });
      }
      try {
        return await write();
      } catch (error) {
        if (isDependencyFailure(error)) await limiter.reward(key, 1).catch(() => undefined);
        throw error;
      }
    },
  };
}
