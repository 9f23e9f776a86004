import { z } from 'zod';
import { user } from '../entities/user';
import { LIMITS } from '../limits';
import { name, safeString, userId } from '../primitives';

const password = safeString(LIMITS.PASSWORD_LENGTH_MAX).min(LIMITS.PASSWORD_LENGTH_MIN);
const refreshToken = safeString(LIMITS.TOKEN_LENGTH).min(16);

/**
 * Where the refresh token goes. `cookie`: into an httpOnly, SameSite=Strict cookie on the
 * server's `/v1/auth` path instead of the answer, so no page script can read it and a reload
 * can resume the session (`refresh` with no token). For an app served from the server's site.
 */
const session = z.enum(['cookie']).optional();

export const registerBody = z.strictObject({ username: userId, password, name: name.optional(), session });
export type RegisterBody = z.infer<typeof registerBody>;

/**
 * The `device_token` of this device's last successful login as this user, when it has one: a
 * known device keeps logging in while someone elsewhere is guessing the password.
 */
const deviceToken = safeString(LIMITS.TOKEN_LENGTH).min(16);

export const loginBody = z.strictObject({
  username: userId,
  password: safeString(LIMITS.PASSWORD_LENGTH_MAX).min(1),
  device_token: deviceToken.optional(),
  session,
});
export type LoginBody = z.infer<typeof loginBody>;

/** Without `refresh_token`, the session cookie's (see `session`); the new one goes back there. */
export const refreshBody = z.strictObject({ refresh_token: refreshToken.optional() });
export type RefreshBody = z.infer<typeof refreshBody>;

/** Without `refresh_token`, the session cookie's; the cookie is cleared either way. */
export const logoutBody = z.strictObject({ refresh_token: refreshToken.optional() });
export type LogoutBody = z.infer<typeof logoutBody>;

export const tokenResponse = z.object({
  access_token: z.string(),
  /** Absent when it went into the session cookie (`session: 'cookie'`, or a refresh by cookie). */
  refresh_token: z.string().optional(),
  /** Seconds until the access token expires. */
  expires_in: z.number().int(),
  user,
  /** Proves this device logged in as this user: send it with the next login (see `loginBody`). */
  device_token: z.string().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponse>;
