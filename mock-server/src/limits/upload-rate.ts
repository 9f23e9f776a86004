import { UPLOAD_POLICY_LIMITS } from '@chat/protocol';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ChatError } from '../kernel/errors';

/**
 * Upload slots per user per minute, the number each application sets in its upload policy
 * (`uploads_per_minute`). Like the write budget (`write-budget.ts`): in Redis when the server runs
 * on several nodes, so a user cannot multiply it by asking each node, and in the node's memory
 * while Redis is unreachable. One counter per user holds whatever the app's number is (counted up
 * to the protocol's highest), so a lowered limit applies at once.
 */
export interface UploadRate {
  /**
   * Takes one slot of the user's minute; throws `rate_limited` with `retry_after_ms` when the
   * minute's `perMinute` are used. A refused attempt takes nothing.
   */
  take(appId: string, userId: string, perMinute: number): Promise<void>;
  /** Gives a slot back: it was not created after all (refused by the policy, storage away). */
  giveBack(appId: string, userId: string): Promise<void>;
}

const WINDOW_SECONDS = 60;

export function createUploadRate(options: { redis?: Redis | undefined; prefix?: string }): UploadRate {
  const keyPrefix = `${options.prefix ?? 'chat:'}uploads`;
  const settings = { keyPrefix, points: UPLOAD_POLICY_LIMITS.UPLOADS_PER_MINUTE, duration: WINDOW_SECONDS };
  const local = new RateLimiterMemory(settings);
  const limiter = options.redis
    ? new RateLimiterRedis({ ...settings, storeClient: options.redis, insuranceLimiter: local })
    : local;
  const limited = (msBeforeNext: number) =>
    new ChatError('rate_limited', 'Too many uploads; wait a moment before the next one', {
      retry_after_ms: Math.max(1, Math.ceil(msBeforeNext)),
    });
  return {
    async take(appId, userId, perMinute) {
      const key = `${appId}:${userId}`;
      let result: RateLimiterRes;
      try {
        result = await limiter.consume(key);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        throw limited(error.msBeforeNext);
      }
      if (result.consumedPoints > perMinute) {
        await limiter.reward(key, 1).catch(() => undefined);
        throw limited(result.msBeforeNext);
      }
    },
    async giveBack(appId, userId) {
      await limiter.reward(`${appId}:${userId}`, 1).catch(() => undefined);
    },
  };
}
