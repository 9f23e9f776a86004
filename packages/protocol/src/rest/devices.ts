import { z } from 'zod';
import { LIMITS } from '../limits';
import { name, safeString, timestamp } from '../primitives';

/**
 * Push devices: where the server sends a user's notifications. An FCM registration token (Android,
 * and iOS apps that use Firebase), an APNs device token (iOS, with the environment its build
 * talks to), or a Web Push subscription (a browser's `PushSubscription.toJSON()`).
 */
export const PUSH_PROVIDERS = ['fcm', 'apns', 'web'] as const;
export const pushProvider = z.enum(PUSH_PROVIDERS);
export type PushProvider = z.infer<typeof pushProvider>;

export const APNS_ENVIRONMENTS = ['sandbox', 'production'] as const;
export const apnsEnvironment = z.enum(APNS_ENVIRONMENTS);

/** Base64url without padding, as `PushSubscription.toJSON()` gives the keys: `chars` long. */
const base64url = (chars: number, bytes: number) =>
  z
    .string()
    .length(chars, `Must be ${bytes} bytes in base64url (${chars} characters)`)
    .regex(/^[A-Za-z0-9_-]+$/, 'Must be base64url without padding');

/** A push service's endpoint: https only (the server posts the encrypted payload there). */
const pushEndpoint = safeString(LIMITS.PUSH_ENDPOINT_LENGTH)
  .pipe(z.url({ protocol: /^https$/ }))
  .refine((url) => !new URL(url).username && !new URL(url).password, 'No credentials in the URL');

export const webPushSubscription = z.object({
  endpoint: pushEndpoint,
  /** Ignored: a browser may send it; the server never relies on it. */
  expirationTime: z.number().nullable().optional(),
  keys: z.strictObject({
    /** The browser's P-256 public key, uncompressed (65 bytes). */
    p256dh: base64url(87, 65),
    /** The authentication secret (16 bytes). */
    auth: base64url(22, 16),
  }),
});
export type WebPushSubscription = z.infer<typeof webPushSubscription>;

/** FCM registration tokens are long opaque text; nothing but these characters appears in them. */
const fcmToken = z
  .string()
  .min(1)
  .max(LIMITS.PUSH_TOKEN_LENGTH)
  .regex(/^[A-Za-z0-9_:\-.]+$/, 'Not an FCM registration token');
/** An APNs device token: hex (32 bytes today; Apple says not to assume the length). */
const apnsToken = z
  .string()
  .min(32)
  .max(200)
  .regex(/^[0-9a-fA-F]+$/, 'Not an APNs device token (hex)')
  .transform((token) => token.toLowerCase());

const deviceName = name.optional();

export const registerDeviceBody = z.discriminatedUnion('provider', [
  z.strictObject({ provider: z.literal('fcm'), token: fcmToken, name: deviceName }),
  z.strictObject({
    provider: z.literal('apns'),
    token: apnsToken,
    /** Which APNs the app build talks to: development builds `sandbox`. */
    environment: apnsEnvironment.default('production'),
    name: deviceName,
  }),
  z.strictObject({ provider: z.literal('web'), subscription: webPushSubscription, name: deviceName }),
]);
export type RegisterDeviceBody = z.infer<typeof registerDeviceBody>;

export const device = z.object({
  id: z.uuid(),
  provider: pushProvider,
  /** The FCM or APNs token, or the Web Push endpoint. */
  token: safeString(LIMITS.PUSH_TOKEN_LENGTH),
  environment: apnsEnvironment.nullable(),
  name: z.string().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});
export type Device = z.infer<typeof device>;

export const deviceResponse = z.object({ device });
export const devicesResponse = z.object({ devices: z.array(device) });
