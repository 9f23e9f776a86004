import { z } from 'zod';
import { LIMITS } from '../limits';
import { cid, name, safeString, timestamp } from '../primitives';

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
  // Checks run even when the URL check before failed (zod goes on to report every issue).
  .refine((url) => !URL.canParse(url) || !/^[^/]*\/\/[^/]*@/.test(url), 'No credentials in the URL');

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

/**
 * Web Push for an application (server token): the VAPID key pair the server signs its requests
 * to push services with, and the contact push services may write to (`mailto:` or `https:`).
 * Without keys the server makes a pair; the private key is never shown again.
 */
export const setWebPushBody = z
  .strictObject({
    subject: safeString(LIMITS.URL_LENGTH).refine(
      (value) =>
        /^mailto:[^\s@]+@[^\s@]+$/.test(value) ||
        (URL.canParse(value) && new URL(value).protocol === 'https:'),
      'Must be a mailto: address or an https: URL',
    ),
    /** The P-256 public key, uncompressed, base64url (87 characters). */
    vapid_public_key: base64url(87, 65).optional(),
    /** The private key, base64url (43 characters). */
    vapid_private_key: base64url(43, 32).optional(),
  })
  .refine((body) => (body.vapid_public_key === undefined) === (body.vapid_private_key === undefined), {
    message: 'Give both keys of the pair, or neither',
    path: ['vapid_private_key'],
  });
export type SetWebPushBody = z.infer<typeof setWebPushBody>;

export const webPushSettings = z.object({
  subject: z.string(),
  vapid_public_key: z.string(),
  updated_at: timestamp,
});
export const webPushResponse = z.object({ web: webPushSettings });

/** What a client needs to subscribe: the application's public VAPID key, when Web Push is on. */
export const pushConfigResponse = z.object({
  web: z.object({ vapid_public_key: z.string() }).nullable(),
});

/**
 * Firebase Cloud Messaging for an application (server token): a service account of the Firebase
 * project (its JSON key file, as Google gives it; the private key is sealed at rest and never
 * shown again). `base_url` is FCM's, unless said (a proxy, or a test's fake).
 */
export const serviceAccount = z.object({
  type: z.literal('service_account').optional(),
  project_id: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[a-z0-9-]+$/, 'Not a Firebase project id'),
  client_email: z.email().max(320),
  private_key_id: z.string().max(100).optional(),
  private_key: z
    .string()
    .max(10_000)
    .refine((key) => key.includes('-----BEGIN PRIVATE KEY-----'), 'Must be a PEM private key'),
  /** Where the OAuth token is asked for (Google's, unless said). */
  token_uri: safeString(LIMITS.URL_LENGTH)
    .pipe(z.url({ protocol: /^https$/ }))
    .optional(),
});
export const setFcmPushBody = z.strictObject({
  service_account: serviceAccount,
  base_url: safeString(LIMITS.URL_LENGTH)
    .pipe(z.url({ protocol: /^https$/ }))
    .optional(),
});
export type SetFcmPushBody = z.infer<typeof setFcmPushBody>;

export const fcmPushSettings = z.object({
  project_id: z.string(),
  client_email: z.string(),
  base_url: z.string(),
  updated_at: timestamp,
});
export const fcmPushResponse = z.object({ fcm: fcmPushSettings });

/** Apple's base URLs: where APNs is, for production and development builds. */
const apnsBaseUrl = safeString(LIMITS.URL_LENGTH).pipe(z.url({ protocol: /^https$/ }));

/**
 * APNs for an application (server token), with token-based authentication: the `.p8` signing key
 * from Apple's developer account (sealed at rest, never shown again), its key id, the team id,
 * and the app's bundle id (the `apns-topic`). The base URLs are Apple's unless said.
 */
export const setApnsPushBody = z.strictObject({
  key: z
    .string()
    .max(5_000)
    .refine((key) => key.includes('-----BEGIN PRIVATE KEY-----'), 'Must be the .p8 key (PEM)'),
  key_id: z.string().regex(/^[A-Z0-9]{10}$/, 'Ten letters or digits, as Apple shows it'),
  team_id: z.string().regex(/^[A-Z0-9]{10}$/, 'Ten letters or digits, as Apple shows it'),
  bundle_id: z
    .string()
    .min(1)
    .max(155)
    .regex(/^[A-Za-z0-9.-]+$/, 'A bundle id such as com.example.chat'),
  production_url: apnsBaseUrl.optional(),
  sandbox_url: apnsBaseUrl.optional(),
});
export type SetApnsPushBody = z.infer<typeof setApnsPushBody>;

export const apnsPushSettings = z.object({
  key_id: z.string(),
  team_id: z.string(),
  bundle_id: z.string(),
  production_url: z.string(),
  sandbox_url: z.string(),
  updated_at: timestamp,
});
export const apnsPushResponse = z.object({ apns: apnsPushSettings });

/**
 * Which messages a user is pushed: `all`, only those that mention them (`mentions`), or `none`;
 * for all their channels, and per channel (`null`: as for all). Do-not-disturb holds every push
 * back until a time.
 */
export const PUSH_LEVELS = ['all', 'mentions', 'none'] as const;
export const pushLevel = z.enum(PUSH_LEVELS);
export type PushLevel = z.infer<typeof pushLevel>;

export const pushPreferences = z.object({
  level: pushLevel,
  dnd_until: timestamp.nullable(),
  /** The channels with a level of their own. */
  channels: z.array(z.object({ cid: z.string(), level: pushLevel })),
});
export type PushPreferences = z.infer<typeof pushPreferences>;

export const setPushPreferencesBody = z
  .strictObject({
    level: pushLevel.optional(),
    /** Until when no push comes; null ends it. */
    dnd_until: timestamp.nullable().optional(),
    /** A level per channel the user is a member of; `null` goes back to the user's level. */
    channels: z
      .array(z.strictObject({ cid, level: pushLevel.nullable() }))
      .max(100)
      .optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'Give at least one field to change' });
export type SetPushPreferencesBody = z.infer<typeof setPushPreferencesBody>;

export const pushPreferencesResponse = z.object({ preferences: pushPreferences });
