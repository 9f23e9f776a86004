import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ChatError } from '../domain/errors';

/**
 * Per-user budget for writes (sends, edits, deletes, reactions, and the REST routes that change
 * things), one budget whether they come over the socket or REST. In Redis when the server runs
 * on several nodes, so a user cannot multiply it by connecting to each, or by switching transport.
 */
export interface WriteBudget {
  /** Spends one write; throws `rate_limited` with `retry_after_ms` when the budget is gone. */
  spend(appId: string, userId: string): Promise<void>;
}

export function createWriteBudget(options: {
  points: number;
  durationSeconds: number;
  redis?: Redis;
  /** Redis key prefix of the deployment. */
  prefix?: string;
}): WriteBudget {
  const keyPrefix = `${options.prefix ?? 'chat:'}writes`;
  const limiter = options.redis
    ? new RateLimiterRedis({
        storeClient: options.redis,
        keyPrefix,
        points: options.points,
        duration: options.durationSeconds,
      })
    : new RateLimiterMemory({
        keyPrefix,
        points: options.points,
        duration: options.durationSeconds,
      });
  return {
    async spend(appId, userId) {
      try {
        await limiter.consume(`${appId}:${userId}`);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        throw new ChatError('rate_limited', 'Too many writes; slow down', {
          retry_after_ms: error.msBeforeNext,
        });
      }
    },
  };
}
