import { backoffDelay } from '../connection/backoff';
import { serverRetryAfter } from '../http/retry-policy';

/** How the sync queue retries a write that failed with a retryable error. */
export interface SyncRetryOptions {
  /** Backoff ceiling of the first retry. Default 1 s. */
  baseMs: number;
  /**
   * Backoff cap: a waiting write is tried again at least this often, so it goes soon after the
   * server recovers. Low, because only the first waiting write of a channel is tried, and a
   * server that wants fewer tries says so with `retry_after_ms`. Default 5 s.
   */
  maxMs: number;
  /**
   * How long after it was queued a write keeps being retried. Before that no retryable failure
   * marks it failed, however many there were; the first one after it does. Default 24 h.
   */
  horizonMs: number;
}

export const DEFAULT_SYNC_RETRY: SyncRetryOptions = {
  baseMs: 1_000,
  maxMs: 5_000,
  horizonMs: 24 * 60 * 60 * 1_000,
};

/**
 * No answer came, which says nothing about the write itself. The connection flags some of these
 * as not retryable (a request cut off by a disconnect), but a queued write waits for the next
 * connection rather than failing.
 */
const NO_ANSWER = new Set(['network_error', 'timeout', 'connection_closed', 'not_connected']);

/**
 * Whether a later attempt may succeed: no answer, or a server error marked retryable (`internal`,
 * `unavailable`, `rate_limited`, `request_timeout`, `token_expired`). A refusal (validation,
 * permission, not found, conflict, too large…) or anything else thrown (a bug) is permanent.
 */
export function isRetryableFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { retryable, code } = error as { retryable?: unknown; code?: unknown };
  return retryable === true || NO_ANSWER.has(code as string);
}

/**
 * The wait before the next attempt of a write that has now failed `attempts` times. When the
 * server said how long to wait (`retry_after_ms` of a 429 or 503) it is never sooner: the server
 * knows when its rate window resets or when it expects to be back; up to 10 % more spreads out
 * the writes it refused together. Otherwise full-jitter exponential backoff.
 */
export function syncRetryDelay(
  attempts: number,
  error: unknown,
  options: SyncRetryOptions,
  random: () => number,
): number {
  const asked = serverRetryAfter(error);
  if (asked === undefined) return backoffDelay(attempts, options, random);
  return asked + Math.floor(random() * asked * 0.1);
}
