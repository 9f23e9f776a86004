import { z } from 'zod';
import { user } from '../entities/user';
import { LIMITS } from '../limits';
import { name, safeString, userId } from '../primitives';

const password = safeString(LIMITS.PASSWORD_LENGTH_MAX).min(LIMITS.PASSWORD_LENGTH_MIN);
const refreshToken = z.string().min(16).max(LIMITS.TOKEN_LENGTH);

export const registerBody = z.strictObject({ username: userId, password, name: name.optional() });
export type RegisterBody = z.infer<typeof registerBody>;

export const loginBody = z.strictObject({
  username: userId,
  password: z.string().min(1).max(LIMITS.PASSWORD_LENGTH_MAX),
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
});
export type TokenResponse = z.infer<typeof tokenResponse>;
