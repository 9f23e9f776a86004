import { LIMITS, userId as userIdSchema } from '@chat/protocol';
import { errors, jwtVerify, SignJWT } from 'jose';
import { ChatError } from '../../kernel/errors';

/** What a token signed with none of the accepted secrets is told. */
export const INVALID_SIGNATURE = 'Token signature is invalid';

/** The one algorithm we sign and accept: pinning it closes `alg: none` and algorithm-confusion attacks. */
const ALGORITHM = 'HS256';
/** Seconds of clock difference tolerated between the customer's backend and this server. */
export const CLOCK_TOLERANCE_SECONDS = 30;
const DEFAULT_EXPIRES_IN_SECONDS = 3600;
/**
 * The longest lifetime (`exp - iat`) a token may claim, unless configured otherwise
 * (`CHAT_MAX_TOKEN_LIFETIME_S`): a leaked token stops working within a day, however it was minted.
 */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

export interface VerifyOptions {
  /** Refuse tokens whose lifetime (`exp - iat`) is longer than this many seconds. */
  maxLifetimeSeconds?: number;
}

export interface TokenOptions {
  /** Lifetime in seconds, or a duration such as `'1h'` or `'15m'`. Defaults to one hour. */
  expiresIn?: number | string;
}

/** What a verified token says about its bearer. */
export interface VerifiedToken {
  /** The app's id for the user (`user_id` claim); null for a server token not acting for a user. */
  userId: string | null;
  /** True when the token carries `server: true`, i.e. it was minted by the app's own backend. */
  server: boolean;
}

/**
 * Signs a token that lets one user of an app connect. Run it on your backend with the app's API
 * secret, never in a browser.
 *
 * @example
 * const token = await createUserToken(process.env.CHAT_API_SECRET!, 'alice', { expiresIn: '2h' });
 */
export async function createUserToken(
  secret: string,
  userId: string,
  options: TokenOptions = {},
): Promise<string> {
  if (!userIdSchema.safeParse(userId).success) {
    // Fail at the source: a token with a bad user_id would only be refused later, far from the bug.
    throw new TypeError('createUserToken: userId must be 1-128 letters, digits or _ - . @ !');
  }
  return sign(secret, { user_id: userId }, options);
}

/**
 * Signs a token for server-to-server calls (`server: true`): it acts for the app, not for a user.
 *
 * @example
 * const token = await createServerToken(process.env.CHAT_API_SECRET!);
 */
export async function createServerToken(secret: string, options: TokenOptions = {}): Promise<string> {
  return sign(secret, { server: true }, options);
}

async function sign(secret: string, claims: Record<string, unknown>, options: TokenOptions): Promise<string> {
  const key = secretKey(secret);
  const expiresIn = options.expiresIn ?? DEFAULT_EXPIRES_IN_SECONDS;
  if (typeof expiresIn === 'number' && !(Number.isFinite(expiresIn) && expiresIn > 0)) {
    throw new TypeError('expiresIn must be a positive number of seconds');
  }
  const iat = Math.floor(Date.now() / 1000);
  return (
    new SignJWT(claims)
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setIssuedAt(iat)
      // A number is a lifetime here, but jose reads numbers as absolute times: add it to iat.
      .setExpirationTime(typeof expiresIn === 'number' ? iat + Math.floor(expiresIn) : expiresIn)
      .sign(key)
  );
}

/**
 * Checks a token signed with `secret` (or with any of `secret`'s list: an app's current secret
 * and, for a grace window after a rotation, its previous one) and returns who it speaks for.
 * Throws `ChatError` `token_expired` for an authentic but expired token (the client may refresh),
 * and `unauthenticated` for anything else that fails. Messages never repeat the token.
 */
export async function verifyToken(
  secret: string | readonly string[],
  token: string,
  options: VerifyOptions = {},
): Promise<VerifiedToken> {
  const keys = (typeof secret === 'string' ? [secret] : secret).map(secretKey);
  if (keys.length === 0) throw new TypeError('A non-empty secret is required');
  if (typeof token !== 'string' || token.length === 0) throw unauthenticated('Token is missing');
  // Bound the work an anonymous caller can cause before any parsing or hashing.
  if (token.length > LIMITS.TOKEN_LENGTH) throw unauthenticated('Token is too long');

  let payload: Record<string, unknown> | undefined;
  for (const [index, key] of keys.entries()) {
    try {
      const result = await jwtVerify(token, key, {
        algorithms: [ALGORITHM],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        // A token without exp would be valid forever once leaked.
        requiredClaims: ['iat', 'exp'],
      });
      payload = result.payload;
      break;
    } catch (error) {
      // Only a signature made with another key is worth the next key; any other failure (an
      // expired token, a bad claim) was judged on an authentic token.
      const another = error instanceof errors.JWSSignatureVerificationFailed && index < keys.length - 1;
      if (!another) throw fromJoseError(error);
    }
  }
  if (!payload) throw unauthenticated(INVALID_SIGNATURE);

  // jose only looks at iat when a maximum age is set; a token "issued" in the future means a
  // broken clock or a forged lifetime, so refuse it beyond the tolerated skew.
  const now = Math.floor(Date.now() / 1000);
  if (typeof payload.iat !== 'number' || payload.iat > now + CLOCK_TOLERANCE_SECONDS) {
    throw unauthenticated('Token is not valid yet (iat is in the future)');
  }
  const maxLifetime = options.maxLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  if (typeof payload.exp !== 'number' || payload.exp - payload.iat > maxLifetime) {
    throw unauthenticated(`Token lifetime (exp - iat) is longer than the allowed ${maxLifetime} seconds`);
  }

  const server = payload.server;
  if (server !== undefined && typeof server !== 'boolean') {
    throw unauthenticated('Token claim "server" must be a boolean');
  }
  const userId = payload.user_id;
  if (userId === undefined && server === true) return { userId: null, server: true };
  if (typeof userId !== 'string' || !userIdSchema.safeParse(userId).success) {
    throw unauthenticated('Token claim "user_id" is missing or invalid');
  }
  return { userId, server: server === true };
}

function fromJoseError(error: unknown): ChatError {
  if (error instanceof errors.JWTExpired) return new ChatError('token_expired', 'Token has expired');
  if (error instanceof errors.JOSEAlgNotAllowed) return unauthenticated('Token algorithm is not allowed');
  if (error instanceof errors.JWSSignatureVerificationFailed) return unauthenticated(INVALID_SIGNATURE);
  if (error instanceof errors.JWTClaimValidationFailed) {
    // `claim` is the claim's name (e.g. "nbf", "exp"), never its value.
    return unauthenticated(`Token claim "${error.claim}" is missing or invalid`);
  }
  // Malformed input of any other kind: the caller is simply not authenticated.
  return unauthenticated('Token is malformed');
}

function unauthenticated(message: string): ChatError {
  return new ChatError('unauthenticated', message);
}

function secretKey(secret: string): Uint8Array {
  // An empty secret would let anyone sign tokens: that is a configuration bug, not a bad request.
  if (typeof secret !== 'string' || secret.length === 0)
    throw new TypeError('A non-empty secret is required');
  return new TextEncoder().encode(secret);
}
