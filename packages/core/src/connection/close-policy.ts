import { CLOSE_CODES, TERMINAL_CLOSE_CODES } from '@chat/protocol/constants';
import { AuthError, ChatError, NetworkError, PermissionError } from '../errors';

/** How a socket ended: its close code, and the error the server sent before closing, if any. */
export interface SocketClose {
  code: number;
  reason: string;
  /** The server's last error frame (e.g. the answer to `auth`), or the SDK's own cause. */
  error?: ChatError;
}

/** What the connection manager does after a close. */
export type CloseAction =
  /** Stop for good: the same credentials cannot succeed. */
  | { kind: 'stop'; error: ChatError }
  /** Get a new token, then reconnect at once. */
  | { kind: 'refresh-token'; error: ChatError }
  /** Reconnect after a backoff delay. */
  | { kind: 'reconnect'; error: ChatError };

/**
 * The decision table for close codes, kept apart from the state machine so it can be read
 * (and tested) on its own.
 */
export function closeAction(close: SocketClose): CloseAction {
  const details = { close_code: close.code };
  const why = close.reason ? `${close.code} ${close.reason}` : String(close.code);
  if (close.code === CLOSE_CODES.TOKEN_EXPIRED) {
    const error =
      close.error ??
      new AuthError({ code: 'token_expired', status: 401, message: 'The token expired', details });
    return { kind: 'refresh-token', error };
  }
  if (TERMINAL_CLOSE_CODES.has(close.code)) {
    if (close.error && close.error.code !== 'connection_closed') return { kind: 'stop', error: close.error };
    const error =
      close.code === CLOSE_CODES.UNAUTHENTICATED
        ? new AuthError({ code: 'unauthenticated', status: 401, message: 'The token was rejected', details })
        : close.code === CLOSE_CODES.APP_BANNED
          ? new PermissionError({ code: 'app_banned', status: 403, message: 'Banned from this app', details })
          : new ChatError({
              code: 'connection_closed',
              message: `The server closed the connection (${why})`,
              details,
            });
    return { kind: 'stop', error };
  }
  // SERVICE_RESTART, SLOW_CONSUMER, HEARTBEAT_TIMEOUT, AUTH_TIMEOUT, MESSAGE_TOO_BIG, 1006…:
  // another connection (maybe to another node) can succeed.
  const error =
    close.error ??
    new NetworkError({ code: 'connection_closed', message: `The connection closed (${why})`, details });
  return { kind: 'reconnect', error };
}
