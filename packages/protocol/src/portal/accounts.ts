import { z } from 'zod';
import { LIMITS } from '../limits';
import { name, safeString, timestamp } from '../primitives';
import { PORTAL_LIMITS } from './limits';

/**
 * Customer accounts of the portal: the platform's customers (who run applications), never the
 * applications' own users. Their tokens are of another kind and work on the portal API only.
 */

/** Lower-cased on arrival: one account per address however it is typed. */
export const customerEmail = z
  .email()
  .max(PORTAL_LIMITS.EMAIL_LENGTH)
  .transform((email) => email.toLowerCase());

/** Long enough to resist guessing; at most what the password hash is given. */
export const customerPassword = safeString(LIMITS.PASSWORD_LENGTH_MAX).min(PORTAL_LIMITS.PASSWORD_LENGTH_MIN);

const refreshToken = safeString(LIMITS.TOKEN_LENGTH).min(16);

export const signUpBody = z.strictObject({
  email: customerEmail,
  password: customerPassword,
  display_name: name.min(1).optional(),
});
export type SignUpBody = z.infer<typeof signUpBody>;

export const portalLoginBody = z.strictObject({
  email: customerEmail,
  password: safeString(LIMITS.PASSWORD_LENGTH_MAX).min(1),
});
export type PortalLoginBody = z.infer<typeof portalLoginBody>;

export const portalRefreshBody = z.strictObject({ refresh_token: refreshToken });
export type PortalRefreshBody = z.infer<typeof portalRefreshBody>;

export const changePasswordBody = z.strictObject({
  current_password: safeString(LIMITS.PASSWORD_LENGTH_MAX).min(1),
  new_password: customerPassword,
});
export type ChangePasswordBody = z.infer<typeof changePasswordBody>;

export const updateCustomerBody = z
  .strictObject({ display_name: name.min(1).nullable() })
  .partial()
  .refine((body) => Object.keys(body).length > 0, { message: 'Nothing to change' });
export type UpdateCustomerBody = z.infer<typeof updateCustomerBody>;

export const customer = z.object({
  id: z.uuid(),
  email: z.string(),
  display_name: z.string().nullable(),
  created_at: timestamp,
});
export type Customer = z.infer<typeof customer>;

export const customerResponse = z.object({ customer });

export const portalTokenResponse = z.object({
  /** A portal access token (minutes); send it as `Authorization: Bearer`. */
  access_token: z.string(),
  /** Trade it at `/portal/v1/auth/refresh` for a new pair; single use, rotated each time. */
  refresh_token: z.string(),
  /** Seconds until the access token expires. */
  expires_in: z.number().int(),
  customer,
});
export type PortalTokenResponse = z.infer<typeof portalTokenResponse>;

export const portalSession = z.object({
  id: z.uuid(),
  started_at: timestamp,
  /** When the session last traded its refresh token (at login, the start). */
  last_refreshed_at: timestamp,
  expires_at: timestamp,
  user_agent: z.string().nullable(),
  ip: z.string().nullable(),
  /** The session the request was made with. */
  current: z.boolean(),
});
export type PortalSession = z.infer<typeof portalSession>;

export const portalSessionsResponse = z.object({ sessions: z.array(portalSession) });
export const portalSessionParams = z.strictObject({ sessionId: z.uuid() });
