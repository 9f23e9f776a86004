import { z } from 'zod';
import { user } from '../entities/user';
import { LIMITS } from '../limits';
import { name, safeString, userId } from '../primitives';

const password = safeString(LIMITS.PASSWORD_LENGTH_MAX).min(LIMITS.PASSWORD_LENGTH_MIN);
const refreshToken = safeString(LIMITS.TOKEN_LENGTH).min(16);

export const registerBody = z.strictObject({ username: userId, password, name: name.optional() });
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
});
export type LoginBody = z.infer<typeof loginBody>;

export const refreshBody = z.strictObject({ refresh_token: refreshToken });
export type RefreshBody = z.infer<typeof refreshBody>;

export const logoutBody = z.strictObject({ refresh_token: refreshToken });
export type LogoutBody = z.infer<typeof logoutBody>;

export const tokenResponse = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  /** Seconds until the access token expires. */
  expires_in: z.number().int(),
  user,
  /** Proves this device logged in as this user: send it with the next login (see `loginBody`). */
  device_token: z.string().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponse>;
