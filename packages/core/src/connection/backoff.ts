/** Shape of the reconnect delays. */
export interface BackoffOptions {
  /** The ceiling of the first delay. Default 500 ms. */
  baseMs: number;
  /** No delay is ever longer. Default 30 s. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 };

/**
 * "Full jitter" exponential backoff: a uniformly random delay in [0, min(max, base · 2^(attempt−1))).
 * Randomising the whole range (not just a margin) spreads out the clients a server restart
 * drops at the same instant, so they do not all come back at the same instant.
 *
 * @param attempt 1 for the first retry.
 * @param random a number in [0, 1); injectable so tests know the schedule.
 * @example
 * backoffDelay(3, { baseMs: 500, maxMs: 30_000 }, () => 0.5); // 1000
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const exponent = Math.max(0, attempt - 1);
  // Capping the exponent keeps 2 ** exponent finite after very many attempts.
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(exponent, 30));
  return Math.floor(random() * ceiling);
}
