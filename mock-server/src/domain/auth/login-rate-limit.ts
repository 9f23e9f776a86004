import { fullBucket, spendToken, type TakeResult, type TokenBucket } from './token-bucket';

export type { TakeResult };

/**
 * A token bucket per key: up to `limit` attempts at once, refilled evenly so that `limit` more are
 * allowed per `windowMs`. Used for login attempts per (app, username) and per IP address, where a
 * fixed window would let an attacker burst twice the limit across a window boundary.
 */
export interface RateLimiterOptions {
  /** Attempts allowed per window (and the largest burst). */
  limit: number;
  windowMs: number;
  /** Keys tracked at most; beyond it the least recently used key is forgotten. Default 10,000. */
  maxKeys?: number;
  /** Injectable clock in milliseconds, for tests. */
  now?: () => number;
}

export interface RateLimiter {
  /** Spends one attempt of `key`, or says how long to wait before the next one is allowed. */
  take(key: string): TakeResult;
  /** Gives back one attempt of `key` (up to the limit): an attempt that should not count. */
  refund(key: string): void;
  /** Forgets `key`, e.g. after a successful login. */
  reset(key: string): void;
  /** Keys currently tracked. */
  readonly size: number;
}

/**
 * @example
 * const perUser = createRateLimiter({ limit: 5, windowMs: 60_000 });
 * const result = perUser.take(`${appId}:${username}`);
 * if (!result.ok) throw new ChatError('rate_limited', 'Too many attempts', { retry_after_ms: result.retryAfterMs });
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { limit, windowMs, maxKeys = 10_000, now = Date.now } = options;
  if (!(Number.isInteger(limit) && limit > 0)) throw new TypeError('limit must be a positive integer');
  if (!(windowMs > 0)) throw new TypeError('windowMs must be positive');
  if (!(Number.isInteger(maxKeys) && maxKeys > 0)) throw new TypeError('maxKeys must be a positive integer');
  // Map order is kept as least-recently-used first (entries are re-inserted on use), so the
  // stale and the evictable keys are always at the front.
  const buckets = new Map<string, TokenBucket>();

  function evict(at: number): void {
    // An untouched bucket is full again after one window: forgetting it changes nothing.
    for (const [key, bucket] of buckets) {
      if (at - bucket.updatedAt < windowMs) break;
      buckets.delete(key);
    }
    // Memory stays bounded even under a flood of distinct keys (e.g. spoofed usernames).
    while (buckets.size >= maxKeys) {
      const oldest = buckets.keys().next().value;
      if (oldest === undefined) break;
      buckets.delete(oldest);
    }
  }

  return {
    take(key) {
      const at = now();
      const bucket = buckets.get(key) ?? fullBucket(limit, at);
      buckets.delete(key);
      const result = spendToken(bucket, limit, windowMs, at);
      evict(bucket.updatedAt);
      buckets.set(key, bucket);
      return result;
    },
    refund(key) {
      const bucket = buckets.get(key);
      if (bucket) bucket.tokens = Math.min(limit, bucket.tokens + 1);
    },
    reset(key) {
      buckets.delete(key);
    },
    get size() {
      return buckets.size;
    },
  };
}
