import { z } from 'zod';
import { httpUrl, name, timestamp, userId } from '../primitives';
import { PORTAL_LIMITS } from './limits';

export const applicationParams = z.strictObject({ appId: z.uuid() });

const appName = name.min(1);
const origins = z.array(httpUrl).max(PORTAL_LIMITS.ALLOWED_ORIGINS_MAX);

export const createApplicationBody = z.strictObject({
  name: appName,
  allow_registration: z.boolean().optional(),
  allowed_origins: origins.optional(),
});
export type CreateApplicationBody = z.infer<typeof createApplicationBody>;

export const updateApplicationBody = z
  .strictObject({ name: appName, allow_registration: z.boolean(), allowed_origins: origins })
  .partial()
  .refine((body) => Object.keys(body).length > 0, { message: 'Nothing to change' });
export type UpdateApplicationBody = z.infer<typeof updateApplicationBody>;

/** An application as the portal shows it: the api key is public, the secret never is. */
export const portalApplication = z.object({
  id: z.uuid(),
  team_id: z.uuid(),
  name: z.string(),
  api_key: z.string(),
  status: z.enum(['active', 'disabled']),
  allow_registration: z.boolean(),
  allowed_origins: z.array(z.string()),
  plan_id: z.string().nullable(),
  created_at: timestamp,
  disabled_at: timestamp.nullable(),
  secret_rotated_at: timestamp.nullable(),
  /** Until when the secret before the last rotation still verifies tokens; null when it does not. */
  previous_secret_expires_at: timestamp.nullable(),
});
export type PortalApplication = z.infer<typeof portalApplication>;
export const portalApplicationResponse = z.object({ application: portalApplication });
export const portalApplicationsResponse = z.object({ applications: z.array(portalApplication) });
/** At creation and rotation only: the secret is shown this once. */
export const applicationSecretResponse = z.object({
  application: portalApplication,
  api_secret: z.string(),
});

/**
 * How long the secret being replaced keeps verifying tokens, in seconds: a day unless said (the
 * longest a token may live by default, so every token signed before the rotation expires before
 * its secret does), 0 to cut it off at once (a leaked secret), at most seven days.
 */
export const rotateSecretBody = z.strictObject({
  grace_seconds: z.number().int().min(0).max(PORTAL_LIMITS.SECRET_GRACE_SECONDS_MAX).optional(),
});
export type RotateSecretBody = z.infer<typeof rotateSecretBody>;

/** A token for the application's backend (`server: true`) or for one of its users. */
export const mintAppTokenBody = z.union([
  z.strictObject({
    server: z.literal(true),
    expires_in_seconds: z.number().int().min(60).max(86_400).optional(),
  }),
  z.strictObject({ user_id: userId, expires_in_seconds: z.number().int().min(60).max(86_400).optional() }),
]);
export type MintAppTokenBody = z.infer<typeof mintAppTokenBody>;
export const appTokenResponse = z.object({ token: z.string(), expires_at: timestamp });
