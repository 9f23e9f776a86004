import { type ErrorBody, makeError } from '@chat/protocol';
import type { LogFn } from 'pino';
import { failureLevel, inOutage } from './dependency-status';

/**
 * Failures that are not the request's fault nor a bug: the database or Redis is unreachable,
 * restarting or saturated. The client is told `unavailable` (503) with when to try again, and
 * retries; `internal` is kept for bugs, which retrying does not fix.
 */

/** SQLSTATE classes and codes of a database that cannot serve now (it may soon). */
const PG_UNAVAILABLE_CLASSES = ['08', '53', '57P']; // connection, resources, shutdown
const PG_UNAVAILABLE_CODES = new Set(['57014', '40001', '40P01']); // cancelled (timeout), serialization, deadlock
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);
const MESSAGES = [
  /timeout exceeded when trying to connect/i, // pg-pool: no connection came free (load)
  /connection terminated/i, // pg: the server went away mid-query
  /not queryable/i, // pg: a client whose connection failed
  /connection is closed/i, // ioredis
  /enableOfflineQueue/i, // ioredis: Redis is not connected (fail fast, see redis-connection.ts)
  /max retries per request/i, // ioredis
];

/** How long a client should wait before retrying: about how long the server needs to notice a return. */
const RETRY_AFTER_MS = 1_000;

export function isDependencyFailure(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; name?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (
    code.length === 5 &&
    (PG_UNAVAILABLE_CODES.has(code) || PG_UNAVAILABLE_CLASSES.some((c) => code.startsWith(c)))
  )
    return true;
  if (SOCKET_CODES.has(code)) return true;
  if (e.name === 'MaxRetriesPerRequestError') return true;
  const message = typeof e.message === 'string' ? e.message : '';
  if (MESSAGES.some((pattern) => pattern.test(message))) return true;
  // An AggregateError (a connect that tried every address) carries the reasons inside.
  const inner = (e as { errors?: unknown }).errors;
  return Array.isArray(inner) && inner.some(isDependencyFailure);
}

/** The error body for a failure: `unavailable` with `retry_after_ms` for a dependency, `internal` otherwise. */
export function failureBody(error: unknown): ErrorBody {
  if (isDependencyFailure(error) || inOutage()) {
    return makeError('unavailable', 'The service is temporarily unavailable; retry shortly', {
      retry_after_ms: RETRY_AFTER_MS,
    });
  }
  return makeError('internal', 'Internal server error');
}

/** Dependency failures outside an announced outage (load): one line per this long, with a count. */
const SUMMARY_MS = 10_000;
const summaries = new Map<string, { count: number; timer: NodeJS.Timeout }>();

/**
 * Logs a request or task that failed. A bug is an error line with its stack, every time. A
 * dependency failure is not worth a stack per request: during an announced outage ("waiting for
 * Redis", dependency-status.ts) it is logged at debug; otherwise (a saturated database) the
 * first one is a warning and the rest are counted into one line per 10 s.
 */
/** A pino logger, or Fastify's request logger. */
type FailureLogger = Record<'debug' | 'warn' | 'error', LogFn>;

export function logFailure(
  logger: FailureLogger,
  error: unknown,
  message: string,
  fields: object = {},
): void {
  if (!isDependencyFailure(error)) {
    logger[failureLevel('error')]({ err: error, ...fields }, message);
    return;
  }
  if (inOutage()) {
    logger.debug({ err: error, ...fields }, message);
    return;
  }
  const summary = summaries.get(message);
  if (summary) {
    summary.count++;
    return;
  }
  logger.warn({ err: error, ...fields }, `${message}: a dependency is unavailable or saturated`);
  const entry = {
    count: 0,
    timer: setTimeout(() => {
      summaries.delete(message);
      if (entry.count > 0) logger.warn({ failures: entry.count }, `${message} (more, in the last 10 s)`);
    }, SUMMARY_MS),
  };
  entry.timer.unref();
  summaries.set(message, entry);
}
