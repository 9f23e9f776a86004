/**
 * Every error code the platform uses, with its HTTP status and whether retrying the same request
 * later can succeed. The SDK maps each to a named `ChatError` subclass; clients never parse
 * messages to tell errors apart.
 */
export const ERROR_CODES = {
  validation_failed: {
    status: 400,
    retryable: false,
    description: 'A field of the request is invalid; details.issues names it.',
  },
  invalid_frame: {
    status: 400,
    retryable: false,
    description: 'A WebSocket frame is not valid JSON or not a known frame.',
  },
  unauthenticated: {
    status: 401,
    retryable: false,
    description: 'No credentials, or credentials that cannot be verified.',
  },
  token_expired: { status: 401, retryable: true, description: 'The token expired; refresh it and retry.' },
  invalid_api_key: { status: 401, retryable: false, description: 'The api_key names no active application.' },
  app_disabled: {
    status: 403,
    retryable: false,
    description: 'The application is disabled by its team: no connection or request until it is enabled.',
  },
  invite_unusable: {
    status: 410,
    retryable: false,
    description: 'The team invitation expired, was used or was revoked; details.reason says which.',
  },
  invalid_credentials: { status: 401, retryable: false, description: 'Wrong username or password.' },
  refresh_token_reused: {
    status: 401,
    retryable: false,
    description: 'A rotated refresh token was used again; its whole family is revoked.',
  },
  forbidden: { status: 403, retryable: false, description: 'The user may not do this.' },
  channel_frozen: { status: 403, retryable: false, description: 'The channel is frozen: no new messages.' },
  user_banned: { status: 403, retryable: false, description: 'The user is banned from this channel.' },
  message_rejected: {
    status: 403,
    retryable: false,
    description: "The application's before-send hook refused the message; the message says why.",
  },
  upload_refused: {
    status: 422,
    retryable: false,
    description: "The application's upload policy refuses the file; details.reason says why.",
  },
  registration_closed: {
    status: 403,
    retryable: false,
    description: 'This application does not allow self-registration.',
  },
  not_found: {
    status: 404,
    retryable: false,
    description: 'Nothing with this id exists for this application.',
  },
  conflict: {
    status: 409,
    retryable: false,
    description: 'The request conflicts with the current state (e.g. a taken id).',
  },
  request_timeout: {
    status: 408,
    retryable: true,
    description: 'The request did not arrive in time (headers or body too slow); send it again.',
  },
  payload_too_large: {
    status: 413,
    retryable: false,
    description: 'The body or frame exceeds its size limit.',
  },
  rate_limited: {
    status: 429,
    retryable: true,
    description: 'Too many requests; wait details.retry_after_ms.',
  },
  // Channel moderation.
  slow_mode: {
    status: 429,
    retryable: true,
    description: 'The channel is in slow mode; wait details.retry_after_ms before sending again.',
  },
  // Blocklists.
  message_blocked: {
    status: 422,
    retryable: false,
    description:
      "A blocklist of the application in `block` mode matched the text; the message gives the list's reason, details.blocklist_id and details.blocklist_name name the list.",
  },
  // User safety.
  user_blocked: {
    status: 403,
    retryable: false,
    description: 'One of the two users blocked the other: no direct messages between them.',
  },
  app_banned: {
    status: 403,
    retryable: false,
    description:
      'The user is banned from the application: no connection, request, login or refresh; details.expires_at says until when (null: until lifted).',
  },
  timed_out: {
    status: 403,
    retryable: false,
    description: 'The user is timed out: cannot send, react or edit until details.until.',
  },
  internal: { status: 500, retryable: true, description: 'The server failed; the request may be retried.' },
  unavailable: {
    status: 503,
    retryable: true,
    description: 'The server is starting, stopping or overloaded.',
  },
} as const satisfies Record<string, { status: number; retryable: boolean; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
