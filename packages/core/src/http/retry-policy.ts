import type { EndpointName } from '@chat/protocol';
import { backoffDelay } from '../connection/backoff';
import { type ChatError, RateLimitError } from '../errors';

/** How the HTTP client retries. */
export interface RetryOptions {
  /** Tries in all, the first included. Default 3. */
  attempts: number;
  /** Backoff ceiling of the first retry. Default 300 ms. */
  baseMs: number;
  /** Backoff cap. Default 5 s. */
  maxMs: number;
  /** A 429 or 503 asking to wait longer than this fails at once instead of waiting. Default 30 s. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  attempts: 3,
  baseMs: 300,
  maxMs: 5_000,
  maxRetryAfterMs: 30_000,
};

/**
 * POSTs that are safe to repeat, checked against the reference server:
 * - `createChannel` is get-or-create for both forms (with an `id`, and the distinct channel of
 *   a member list), so a repeat returns the channel the first call made
 *   (mock-server/src/domain/channels.ts `createChannel`);
 * - `queryChannels` only reads (it is a POST for its filter body).
 * Others (`addMembers`, `freezeChannel`, …) would emit their events twice: not retried.
 */
const IDEMPOTENT_POSTS: ReadonlySet<EndpointName> = new Set<EndpointName>(['createChannel', 'queryChannels']);

/**
 * Whether a call may be sent again after a failure that leaves unknown whether it was applied
 * (network error, timeout, 5xx). GET, PUT and DELETE are idempotent by HTTP's rules; a body with
 * a `client_msg_id` is deduplicated by the server; `override` is the caller's own knowledge.
 */
export function isRetrySafe(name: EndpointName, method: string, body: unknown, override?: boolean): boolean {
  if (override !== undefined) return override;
  if (method === 'GET' || method === 'PUT' || method === 'DELETE') return true;
  if (IDEMPOTENT_POSTS.has(name)) return true;
  const clientMsgId = (body as { client_msg_id?: unknown } | null | undefined)?.client_msg_id;
  return typeof clientMsgId === 'string' && clientMsgId !== '';
}

/**
 * How long the server asked to wait before trying again, if it said: the `retry_after_ms` of a
 * 429 (`RateLimitError.retryAfterMs`, which also takes a `Retry-After` header) or of a 503
 * `unavailable` (an outage or an overload).
 */
export function serverRetryAfter(error: unknown): number | undefined {
  if (error instanceof RateLimitError && error.retryAfterMs !== undefined) return error.retryAfterMs;
  const asked = (error as Partial<ChatError> | null | undefined)?.details?.retry_after_ms;
  return typeof asked === 'number' && asked >= 0 ? asked : undefined;
}

/**
 * The wait before retry number `attempt` (1-based), or `undefined` when the server asks for a
 * longer wait than `maxRetryAfterMs`. A `retry_after_ms` (429 or 503) is honoured as given.
 */
export function retryDelay(
  attempt: number,
  error: ChatError,
  options: RetryOptions,
  random: () => number,
): number | undefined {
  const asked = serverRetryAfter(error);
  if (asked !== undefined) return asked <= options.maxRetryAfterMs ? asked : undefined;
  return backoffDelay(attempt, options, random);
}

/** `Retry-After` in milliseconds: seconds, or an HTTP date. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
