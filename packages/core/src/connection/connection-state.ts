import type { ChatError } from '../errors';

/**
 * - `idle`: `connect()` was never called.
 * - `connecting`: the first attempt of a `connect()`.
 * - `connected`: authenticated; events flow.
 * - `reconnecting`: waiting for (or making) attempt number `attempt` after a drop or a failure.
 * - `offline`: the host reports no network; no attempt is made until it returns.
 * - `disconnected`: stopped, by `disconnect()` (no `error`) or for good by the server (`error`).
 */
export type ConnectionStatus =
  | 'idle'
  | 'connecting'
  | 'connected'
  | 'reconnecting'
  | 'offline'
  | 'disconnected';

/**
 * The connection as one value, never a set of booleans: a UI renders it with one `switch`.
 *
 * @example
 * const { status, attempt, error } = client.connection.getSnapshot();
 * if (status === 'reconnecting') banner(`Reconnecting (attempt ${attempt})…`, error?.message);
 */
export interface ConnectionState {
  readonly status: ConnectionStatus;
  /** Consecutive attempts since the last successful connection; 0 when connected or idle. */
  readonly attempt: number;
  /** Why the last attempt failed or why the connection stopped. */
  readonly error?: ChatError;
}

export const IDLE: ConnectionState = Object.freeze({ status: 'idle', attempt: 0 });

/** Builds a frozen state, leaving `error` out rather than `undefined` so snapshots stay tidy. */
export function connectionState(
  status: ConnectionStatus,
  attempt: number,
  error?: ChatError,
): ConnectionState {
  return Object.freeze(error ? { status, attempt, error } : { status, attempt });
}
