import { z } from 'zod';
import { attachmentInput } from '../entities/message';
import { user, userRef } from '../entities/user';
import { LIMITS } from '../limits';
import { cid, customData, httpUrl, name, safeString, timestamp } from '../primitives';
import { limitParam } from './query-params';

/**
 * Outgoing webhooks and the before-send hook, managed by the app's backend (server token).
 * Requests to both are signed as Standard Webhooks says (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`), so any Standard Webhooks library verifies them.
 */

/** The events a webhook endpoint can subscribe to: every logged channel event, and app events. */
export const WEBHOOK_EVENT_TYPES = [
  'message.new',
  'message.updated',
  'message.deleted',
  'message.read',
  'reaction.new',
  'reaction.deleted',
  'channel.created',
  'channel.updated',
  'channel.deleted',
  'channel.truncated',
  'member.added',
  'member.updated',
  'member.removed',
  'user.created',
  'user.updated',
  'webhook.disabled',
  // Every moderation audit record: rest/moderation.ts.
  'moderation.action',
] as const;
export const webhookEventType = z.enum(WEBHOOK_EVENT_TYPES);
export type WebhookEventType = z.infer<typeof webhookEventType>;

/**
 * Where webhooks go: an http(s) URL with no credentials in it (they would end up in logs; use
 * the signature to authenticate the sender) and no fragment (never sent).
 */
export const webhookUrl = httpUrl.refine(
  (value) => {
    // Zod runs this after a failed URL check too: that one already reported it.
    if (!URL.canParse(value)) return true;
    const url = new URL(value);
    return url.username === '' && url.password === '' && url.hash === '';
  },
  { message: 'Must not carry credentials or a #fragment' },
);

/** `whsec_` and base64 of 24 to 64 random bytes (Standard Webhooks' secret format). */
export const webhookSecret = z
  .string()
  .max(100)
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'Must be "whsec_" followed by base64')
  .refine(
    (value) => {
      const bytes = Math.floor(((value.length - 6) * 3) / 4) - (value.match(/=+$/)?.[0].length ?? 0);
      return bytes >= 24 && bytes <= 64;
    },
    { message: 'Must encode 24 to 64 bytes' },
  );

const eventFilter = z
  .array(webhookEventType)
  .max(WEBHOOK_EVENT_TYPES.length)
  .refine((types) => new Set(types).size === types.length, { message: 'Lists an event type twice' });

export const webhook = z.object({
  id: z.uuid(),
  name,
  url: z.string(),
  /** The event types sent; empty for all of them. */
  events: z.array(webhookEventType),
  enabled: z.boolean(),
  /** Why the server disabled it (410 Gone, every retry failed); null when enabled or disabled by hand. */
  disabled_reason: z.string().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});
export type Webhook = z.infer<typeof webhook>;

export const createWebhookBody = z.strictObject({
  name: name.min(1),
  url: webhookUrl,
  events: eventFilter.optional(),
  enabled: z.boolean().optional(),
  /** Your own secret; by default the server makes one. */
  secret: webhookSecret.optional(),
});
export type CreateWebhookBody = z.infer<typeof createWebhookBody>;

export const updateWebhookBody = z
  .strictObject({
    name: name.min(1).optional(),
    url: webhookUrl.optional(),
    events: eventFilter.optional(),
    /** Enabling clears `disabled_reason`; events sent while disabled can be replayed. */
    enabled: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'Give at least one field to change' });
export type UpdateWebhookBody = z.infer<typeof updateWebhookBody>;

export const rotateWebhookSecretBody = z.strictObject({
  /** Your own new secret; by default the server makes one. */
  secret: webhookSecret.optional(),
  /**
   * For how long requests still carry a signature with the old secret too, so receivers can
   * switch at their pace: 0 to 7 days, one day by default.
   */
  previous_secret_ttl_s: z.number().int().min(0).max(LIMITS.WEBHOOK_SECRET_GRACE_SECONDS_MAX).optional(),
});
export type RotateWebhookSecretBody = z.infer<typeof rotateWebhookSecretBody>;

export const webhookResponse = z.object({ webhook });
/** The secret is shown when it is made (create, rotate) and never again. */
export const webhookWithSecretResponse = z.object({ webhook, secret: webhookSecret });
export const webhooksResponse = z.object({ webhooks: z.array(webhook) });

export const WEBHOOK_DELIVERY_STATES = ['pending', 'retrying', 'delivered', 'failed'] as const;
export const webhookDeliveryState = z.enum(WEBHOOK_DELIVERY_STATES);

/** One event sent (or being sent) to one endpoint: the delivery log's entry. */
export const webhookDelivery = z.object({
  id: z.uuid(),
  webhook_id: z.uuid(),
  /** The `webhook-id` header: the same for every attempt and every replay of this event. */
  message_id: z.string(),
  event_id: z.string(),
  event_type: webhookEventType,
  /** `failed` entries are the dead letters: they will not be tried again unless replayed. */
  state: webhookDeliveryState,
  attempts: z.number().int().min(0),
  /** The HTTP status of the last attempt; null if none answered. */
  last_status: z.number().int().nullable(),
  last_latency_ms: z.number().int().min(0).nullable(),
  last_error: z.string().nullable(),
  /** The delivery this one replays, if it is a replay. */
  replay_of: z.uuid().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
  delivered_at: timestamp.nullable(),
});
export type WebhookDelivery = z.infer<typeof webhookDelivery>;

export const listWebhookDeliveriesQuery = z.strictObject({
  state: webhookDeliveryState.optional(),
  /** Entries older than this one (newest first): the previous page's last id. */
  before: z.uuid().optional(),
  limit: limitParam,
});
export type ListWebhookDeliveriesQuery = z.infer<typeof listWebhookDeliveriesQuery>;

export const webhookDeliveriesResponse = z.object({ deliveries: z.array(webhookDelivery) });
export const webhookDeliveryResponse = z.object({ delivery: webhookDelivery });

/** Sends every event of a time range again, whether or not it was sent before. */
export const replayWebhookEventsBody = z
  .strictObject({
    since: timestamp,
    /** Now by default. */
    until: timestamp.optional(),
  })
  .refine((body) => !body.until || Date.parse(body.since) < Date.parse(body.until), {
    message: '"since" must be before "until"',
    path: ['since'],
  });
export type ReplayWebhookEventsBody = z.infer<typeof replayWebhookEventsBody>;

export const replayWebhookEventsResponse = z.object({
  /** Deliveries queued by this call. */
  queued: z.number().int().min(0),
  /**
   * Set when the range held more events than one call replays: call again from here. Null when
   * the whole range was queued.
   */
  next_since: timestamp.nullable(),
});

// The before-send hook

export const BEFORE_SEND_FAILURE_MODES = ['allow', 'reject'] as const;

export const beforeSendHook = z.object({
  url: z.string(),
  /** How long a send waits for the hook's answer. */
  timeout_ms: z.number().int(),
  /** What happens to a message when the hook fails (no answer in time, an error, garbage). */
  on_failure: z.enum(BEFORE_SEND_FAILURE_MODES),
  enabled: z.boolean(),
  created_at: timestamp,
  updated_at: timestamp,
});
export type BeforeSendHook = z.infer<typeof beforeSendHook>;

export const setBeforeSendHookBody = z.strictObject({
  url: webhookUrl,
  /** 100 to 5,000 ms; 1,500 by default. */
  timeout_ms: z.number().int().min(100).max(LIMITS.HOOK_TIMEOUT_MS_MAX).optional(),
  /** `allow` (fail open, the default) or `reject` (fail closed: the sender may retry later). */
  on_failure: z.enum(BEFORE_SEND_FAILURE_MODES).optional(),
  enabled: z.boolean().optional(),
  /** A new secret to sign the hook's requests with; by default the one it has (or a new one). */
  secret: webhookSecret.optional(),
});
export type SetBeforeSendHookBody = z.infer<typeof setBeforeSendHookBody>;

export const beforeSendHookResponse = z.object({ hook: beforeSendHook.nullable() });
export const beforeSendHookWithSecretResponse = z.object({ hook: beforeSendHook, secret: webhookSecret });

/** What the hook receives (`type: "message.before_send"`), signed like a webhook. */
export const beforeSendRequest = z.object({
  type: z.literal('message.before_send'),
  timestamp,
  data: z.object({
    cid,
    user: userRef,
    message: z.object({
      client_msg_id: z.string(),
      text: z.string(),
      custom: customData.optional(),
      /** As the sender gave them: uploaded files by `upload_id`, linked ones in full. */
      attachments: z.array(attachmentInput).optional(),
      parent_id: z.uuid().nullable(),
      quoted_message_id: z.uuid().nullable(),
      mentioned_user_ids: z.array(z.string()),
    }),
  }),
});
export type BeforeSendRequest = z.infer<typeof beforeSendRequest>;

/** What the hook answers (200, JSON). Anything else counts as a failure of the hook. */
export const beforeSendAnswer = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('allow') }),
  z.strictObject({
    action: z.literal('reject'),
    /** Shown to the sender. */
    reason: safeString(LIMITS.HOOK_REASON_LENGTH).min(1).optional(),
  }),
  z.strictObject({
    action: z.literal('rewrite'),
    text: safeString(LIMITS.MESSAGE_TEXT_LENGTH).optional(),
    custom: customData.optional(),
  }),
]);
export type BeforeSendAnswer = z.infer<typeof beforeSendAnswer>;

/** A user created or changed (by the app backend, or the user's own profile). */
export const userCreatedEvent = z.object({ type: z.literal('user.created'), created_at: timestamp, user });
export type UserCreatedEvent = z.infer<typeof userCreatedEvent>;
export const userUpdatedEvent = z.object({ type: z.literal('user.updated'), created_at: timestamp, user });
export type UserUpdatedEvent = z.infer<typeof userUpdatedEvent>;

/** Sent to endpoints that subscribe to it when the server disables an endpoint. */
export const webhookDisabledEvent = z.object({
  type: z.literal('webhook.disabled'),
  created_at: timestamp,
  webhook: z.object({ id: z.uuid(), name: z.string(), url: z.string() }),
  reason: z.string(),
});
export type WebhookDisabledEvent = z.infer<typeof webhookDisabledEvent>;
