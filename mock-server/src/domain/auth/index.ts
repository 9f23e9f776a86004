export { ACCESS_TOKEN_TTL_SECONDS, createAccessToken } from './access-token';
export {
  createRateLimiter,
  type RateLimiter,
  type RateLimiterOptions,
  type TakeResult,
} from './login-rate-limit';
export { dummyVerifyPassword, hashPassword, verifyPassword } from './passwords';
export {
  hashRefreshToken,
  type IssuedRefreshToken,
  issueRefreshToken,
  newRefreshSecret,
  REFRESH_TOKEN_TTL_SECONDS,
  type RotatedRefreshToken,
  revokeRefreshToken,
  rotateRefreshToken,
} from './refresh-tokens';
export {
  CLOCK_TOLERANCE_SECONDS,
  createServerToken,
  createUserToken,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  type TokenOptions,
  type VerifiedToken,
  type VerifyOptions,
  verifyToken,
} from './tokens';
