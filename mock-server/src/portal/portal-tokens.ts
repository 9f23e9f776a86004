import { createHmac } from 'node:crypto';
import { LIMITS } from '@chat/protocol';
import { errors, jwtVerify, SignJWT } from 'jose';
import { ChatError } from '../kernel/errors';

/** Minutes, not an hour: a portal token opens every application of the customer's teams. */
export const PORTAL_ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
const PURPOSE = 'chat portal access token v1';
const TYPE = 'portal+jwt';
const AUDIENCE = 'chat-portal';

/** Who a portal access token speaks for: a customer, in one session (a refresh-token family). */
export interface PortalClaims {
  customerId: string;
  sessionId: string;
}

/**
 * Signs and checks portal access tokens with a key derived from the server's own key for this
 * purpose only. Chat tokens are signed with an application's secret: neither kind can ever pass
 * for the other (another key, another `typ` and audience).
 */
export interface PortalTokens {
  sign(claims: PortalClaims): Promise<string>;
  verify(token: string): Promise<PortalClaims>;
}

export function createPortalTokens(serverKey: string): PortalTokens {
  const key = createHmac('sha256', serverKey).update(PURPOSE).digest();
  return {
    sign: ({ customerId, sessionId }) =>
      new SignJWT({ sid: sessionId })
        .setProtectedHeader({ alg: 'HS256', typ: TYPE })
        .setSubject(customerId)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + PORTAL_ACCESS_TOKEN_TTL_SECONDS)
        .sign(key),
    async verify(token) {
      if (token.length > LIMITS.TOKEN_LENGTH) throw unauthenticated('Token is too long');
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          typ: TYPE,
          audience: AUDIENCE,
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        if (typeof payload.sid !== 'string' || !UUID.test(payload.sid) || !UUID.test(payload.sub!)) {
          throw unauthenticated('Token is not a portal token');
        }
        return { customerId: payload.sub!, sessionId: payload.sid };
      } catch (error) {
        if (error instanceof ChatError) throw error;
        if (error instanceof errors.JWTExpired) throw new ChatError('token_expired', 'Token has expired');
        throw unauthenticated('Not a valid portal token (chat tokens do not work on the portal API)');
      }
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function unauthenticated(message: string): ChatError {
  return new ChatError('unauthenticated', message);
}
