/**
 * WebSocket close codes the server uses, and what a client should do about each. Codes 4000–4999
 * are the application's own range; 1003, 1009, 1011, 1012 and 1013 are the standard ones.
 */
export const CLOSE_CODES = {
  /** A binary frame arrived: the protocol is JSON in text frames only. */
  UNSUPPORTED_DATA: 1003,
  /** The frame was larger than `LIMITS.FRAME_BYTES`. Do not resend it. */
  MESSAGE_TOO_BIG: 1009,
  /** The server failed while setting up the connection (e.g. its database was unreachable): reconnect with backoff. */
  INTERNAL_ERROR: 1011,
  /** The server is restarting or draining: reconnect (another node will take it) and resume. */
  SERVICE_RESTART: 1012,
  /** A dependency of the server (its database) is unavailable or saturated: reconnect with backoff. */
  TRY_AGAIN_LATER: 1013,
  /** The token was missing, invalid or not for this app: do not reconnect with it. */
  UNAUTHENTICATED: 4001,
  /** The token expired: get a fresh one, then reconnect. */
  TOKEN_EXPIRED: 4002,
  /** No `auth` frame arrived in time after connecting. */
  AUTH_TIMEOUT: 4003,
  /** Repeated invalid frames or floods. */
  POLICY_VIOLATION: 4008,
  /** The user has too many open connections. */
  TOO_MANY_CONNECTIONS: 4009,
  /** The client read too slowly and the server's send buffer overflowed: reconnect and resume. */
  SLOW_CONSUMER: 4010,
  /** Nothing arrived from the client within the heartbeat timeout: reconnect and resume. */
  HEARTBEAT_TIMEOUT: 4011,
  /** The user is banned from the application: do not reconnect until the ban ends. */
  APP_BANNED: 4012,
  /** The application is disabled by its team: do not reconnect until it is enabled. */
  APP_DISABLED: 4013,
} as const;

export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];

/** Close codes after which reconnecting with the same credentials cannot help. */
export const TERMINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CLOSE_CODES.UNSUPPORTED_DATA,
  CLOSE_CODES.UNAUTHENTICATED,
  CLOSE_CODES.POLICY_VIOLATION,
  CLOSE_CODES.TOO_MANY_CONNECTIONS,
  CLOSE_CODES.APP_BANNED,
  CLOSE_CODES.APP_DISABLED,
]);
