import { createUserToken } from './tokens';

/**
 * Lifetime of the access tokens handed out by password login: short, because a leaked one cannot
 * be revoked; the client renews it with its refresh token.
 */
export const ACCESS_TOKEN_TTL_SECONDS = 900;

/**
 * Signs the short-lived access token of a password login, for the app user `userId` (external id).
 *
 * @example
 * const accessToken = await createAccessToken(app.api_secret, user.external_id);
 */
export function createAccessToken(secret: string, userId: string): Promise<string> {
  return createUserToken(secret, userId, { expiresIn: ACCESS_TOKEN_TTL_SECONDS });
}
