import type { CLOSE_CODES as PROTOCOL_CLOSE_CODES } from '@chat/protocol';

/*
 * Why a copy: a runtime import of anything from @chat/protocol bundles all of its zod schemas
 * (~98 KB gzipped) into every browser app. These numbers are checked against the protocol's
 * literal types (`satisfies` below fails the build on any drift), and wire.test.ts compares
 * them with the protocol's runtime values. Delete this file once the protocol offers a zod-free
 * entry point.
 */

/** The server's close codes; see `CLOSE_CODES` in @chat/protocol for what each means. */
export const CLOSE_CODES = {
  MESSAGE_TOO_BIG: 1009,
  SERVICE_RESTART: 1012,
  UNAUTHENTICATED: 4001,
  TOKEN_EXPIRED: 4002,
  AUTH_TIMEOUT: 4003,
  POLICY_VIOLATION: 4008,
  TOO_MANY_CONNECTIONS: 4009,
  SLOW_CONSUMER: 4010,
  HEARTBEAT_TIMEOUT: 4011,
} as const satisfies typeof PROTOCOL_CLOSE_CODES;

/** Close codes after which reconnecting with the same credentials cannot help. */
export const TERMINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CLOSE_CODES.UNAUTHENTICATED,
  CLOSE_CODES.POLICY_VIOLATION,
  CLOSE_CODES.TOO_MANY_CONNECTIONS,
]);
