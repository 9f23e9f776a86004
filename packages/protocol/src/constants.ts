/**
 * The protocol's plain values, with no schemas: `@chat/protocol/constants`. Browser SDKs import
 * from here so that they bundle these few kilobytes instead of every validator.
 */
export { CLOSE_CODES, type CloseCode, TERMINAL_CLOSE_CODES } from './close-codes';
export { ERROR_CODES, type ErrorCode } from './error-codes';
export { LIMITS, MODERATION_LIMITS } from './limits';
export {
  CLIENT_ROUTES,
  type ClientRouteName,
  MODERATION_ROUTES,
  type ModerationRouteName,
  ROUTES,
  type RouteName,
  SERVER_ROUTES,
} from './routes';
