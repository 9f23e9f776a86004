import { z } from 'zod';
import { cid } from './primitives';

/**
 * What the server puts in a push (the Web Push payload, and the `data` of an FCM or APNs
 * notification; all values are strings or numbers so FCM's string-only `data` carries them too).
 *
 * - `message.new`: a message for someone with no live socket. `title` and `body` come from the
 *   application's template; in privacy mode both are absent (no content leaves the server: the app
 *   shows a generic line or fetches the message by id). `badge` is the user's unread total as the
 *   server counts it (muted channels left out).
 * - `message.read`: the user read the channel on another device: notifications of `cid` are to
 *   be cleared and the badge set to `badge`. Sent silently (no alert).
 *
 * Notifications collapse per channel: `tag` is the channel's cid.
 */
export const pushPayload = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('message.new'),
    cid,
    message_id: z.string(),
    /** The sender's id; the app may want to open their profile. */
    sender_id: z.string(),
    title: z.string().optional(),
    body: z.string().optional(),
    badge: z.number().int().min(0),
    tag: z.string(),
  }),
  z.object({
    type: z.literal('message.read'),
    cid,
    badge: z.number().int().min(0),
    tag: z.string(),
  }),
]);
export type PushPayload = z.infer<typeof pushPayload>;
