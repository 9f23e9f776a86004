import type { ErrorBody, ErrorCode } from '@chat/protocol';

/** Failures the SDK detects itself, before or without an answer from the server. */
export type ClientErrorCode =
  /** The request never got an answer: DNS, TLS, reset connection, or the socket closed under it. */
  | 'network_error'
  /** No answer within the time limit. */
  | 'timeout'
  /** The caller aborted the request. */
  | 'aborted'
  /** The server closed the socket; `details.close_code` says why. */
  | 'connection_closed'
  /** The client is not connected (never connected, or disconnected). */
  | 'not_connected'
  /** The server answered with something that is not the protocol's shape. */
  | 'invalid_response'
  /** A queued file's bytes are gone from the device's storage (evicted): it cannot be sent. */
  | 'file_lost';

export type ChatErrorCode = ErrorCode | ClientErrorCode;
export type ChatErrorDetails = NonNullable<ErrorBody['details']>;

export interface ChatErrorInit {
  code: ChatErrorCode;
  message: string;
  /** HTTP status; 0 when the error did not come from an HTTP answer. */
  status?: number;
  retryable?: boolean;
  details?: ChatErrorDetails;
  cause?: unknown;
}

/**
 * Every failure the SDK reports. Tell errors apart by class or `code`, never by `message`.
 *
 * @example
 * try { await http.request('getMe'); }
 * catch (e) { if (e instanceof RateLimitError) wait(e.retryAfterMs); }
 */
export class ChatError extends Error {
  override name = 'ChatError';
  readonly code: ChatErrorCode;
  readonly status: number;
  /** Whether the same request may succeed later. */
  readonly retryable: boolean;
  readonly details: ChatErrorDetails | undefined;

  constructor(init: ChatErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status ?? 0;
    this.retryable = init.retryable ?? false;
    this.details = init.details;
  }
}

// Names are set explicitly: minifiers rename classes, and users log `error.name`.

/** Credentials are missing, invalid or expired (HTTP 401, close codes 4001/4002). */
export class AuthError extends ChatError {
  override name = 'AuthError';
}
/** The user may not do this (HTTP 403: forbidden, banned, frozen channel…). */
export class PermissionError extends ChatError {
  override name = 'PermissionError';
}
/** Nothing with this id exists (HTTP 404). */
export class NotFoundError extends ChatError {
  override name = 'NotFoundError';
}
/** The input is invalid or too large (HTTP 400/413); `details.issues` names the fields. */
export class ValidationError extends ChatError {
  override name = 'ValidationError';
}
/** The request conflicts with the current state (HTTP 409). */
export class ConflictError extends ChatError {
  override name = 'ConflictError';
}
/** Too many requests (HTTP 429). Wait `retryAfterMs` (when the server said) before retrying. */
export class RateLimitError extends ChatError {
  override name = 'RateLimitError';
  readonly retryAfterMs: number | undefined;
  constructor(init: ChatErrorInit & { retryAfterMs?: number }) {
    super(init);
    this.retryAfterMs = init.retryAfterMs ?? init.details?.retry_after_ms;
  }
}
/** No answer: the network failed, the socket closed, or a time limit passed. Usually retryable. */
export class NetworkError extends ChatError {
  override name = 'NetworkError';
  constructor(init: Omit<ChatErrorInit, 'code'> & { code?: ChatErrorCode }) {
    super({ retryable: true, ...init, code: init.code ?? 'network_error' });
  }
}
/** The server failed (HTTP 5xx). Retryable. */
export class ServerError extends ChatError {
  override name = 'ServerError';
}

type ErrorClass = new (init: ChatErrorInit) => ChatError;

/**
 * The class of each protocol error code. Typed as a complete record, so a code added to the
 * protocol fails the build here until it is given a class.
 */
const CLASS_OF_CODE: Record<ErrorCode, ErrorClass> = {
  validation_failed: ValidationError,
  invalid_frame: ValidationError,
  payload_too_large: ValidationError,
  // The file breaks the app's upload policy; `details.reason` says how.
  upload_refused: ValidationError,
  // A blocklist in `block` mode matched the text: sending it again fails the same way.
  message_blocked: ValidationError,
  request_timeout: NetworkError,
  unauthenticated: AuthError,
  token_expired: AuthError,
  invalid_api_key: AuthError,
  // The app's team disabled it: nothing works until they enable it.
  app_disabled: PermissionError,
  invalid_credentials: AuthError,
  refresh_token_reused: AuthError,
  forbidden: PermissionError,
  channel_frozen: PermissionError,
  user_banned: PermissionError,
  message_rejected: PermissionError,
  // Moderation of the user: a block between two users, an app-wide ban, a timeout.
  user_blocked: PermissionError,
  app_banned: PermissionError,
  timed_out: PermissionError,
  registration_closed: PermissionError,
  not_found: NotFoundError,
  // Portal codes: a chat client never meets them, but the table is complete.
  invite_unusable: NotFoundError,
  conflict: ConflictError,
  rate_limited: RateLimitError,
  // Slow mode: like a rate limit, wait `details.retry_after_ms`.
  slow_mode: RateLimitError,
  internal: ServerError,
  unavailable: ServerError,
};

/** For codes this SDK version does not know yet (a newer server): the family of the status. */
function classOfStatus(status: number): ErrorClass {
  if (status === 401) return AuthError;
  if (status === 403) return PermissionError;
  // 410 Gone: not found, for good.
  if (status === 404 || status === 410) return NotFoundError;
  // The request did not arrive in time: like a network failure, sending it again can work.
  if (status === 408) return NetworkError;
  if (status === 409) return ConflictError;
  if (status === 429) return RateLimitError;
  if (status >= 500) return ServerError;
  if (status >= 400) return ValidationError;
  return ChatError;
}

/**
 * Turns the wire's error body (from a REST answer or a socket `error` frame) into its class.
 *
 * @example
 * toChatError({ code: 'not_found', message: 'No such channel', status: 404, retryable: false });
 * // → NotFoundError
 */
export function toChatError(body: ErrorBody, cause?: unknown): ChatError {
  // hasOwnProperty rather than Object.hasOwn: older React Native engines lack the latter.
  const known = Object.hasOwn(CLASS_OF_CODE, body.code);
  const Class = known ? CLASS_OF_CODE[body.code] : classOfStatus(body.status);
  return new Class({ ...body, cause });
}

const CODE_OF_STATUS: Partial<Record<number, ErrorCode>> = {
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  429: 'rate_limited',
  500: 'internal',
};

/** A body for an HTTP failure that carried no protocol error (a proxy's 502, an HTML 404…). */
export function errorBodyForStatus(status: number, message: string): ErrorBody {
  const code = CODE_OF_STATUS[status] ?? (status > 500 ? 'unavailable' : 'validation_failed');
  return { code, message, status, retryable: status === 429 || status >= 500 };
}

/** Wraps anything thrown into a `ChatError`, keeping it as the cause. */
export function asChatError(error: unknown, fallback: Omit<ChatErrorInit, 'cause'>): ChatError {
  return error instanceof ChatError ? error : new ChatError({ ...fallback, cause: error });
}
