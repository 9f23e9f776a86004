/**
 * One token bucket: up to `limit` tokens at once, refilled evenly so that `limit` more are allowed
 * per `windowMs`. The state is two numbers, so a socket can keep its own budgets for a few bytes;
 * the limit and window are passed on each spend instead of being stored with every bucket.
 */
export interface TokenBucket {
  tokens: number;
  updatedAt: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

const EPSILON = 1e-9;

/** A bucket that is full at `at`. */
export function fullBucket(limit: number, at: number): TokenBucket {
  return { tokens: limit, updatedAt: at };
}

/**
 * Spends one token of `bucket` at time `at` (in milliseconds), updating it in place, or says how
 * long to wait before the next one is allowed.
 *
 * @example
 * const bucket = fullBucket(200, Date.now());
 * if (!spendToken(bucket, 200, 10_000, Date.now()).ok) refuse();
 */
export function spendToken(bucket: TokenBucket, limit: number, windowMs: number, at: number): TakeResult {
  const refillPerMs = limit / windowMs;
  // A clock that steps backwards must not mint tokens when it catches up again.
  const updatedAt = Math.max(at, bucket.updatedAt);
  const tokens = Math.min(limit, bucket.tokens + (updatedAt - bucket.updatedAt) * refillPerMs);
  bucket.updatedAt = updatedAt;
  // The epsilon absorbs floating-point drift, so a token is back exactly on schedule.
  if (tokens >= 1 - EPSILON) {
    bucket.tokens = Math.max(0, tokens - 1);
    return { ok: true };
  }
  bucket.tokens = tokens;
  return { ok: false, retryAfterMs: Math.ceil((1 - tokens) / refillPerMs) };
}
