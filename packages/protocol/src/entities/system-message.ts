import { z } from 'zod';
import { timestamp, userId } from '../primitives';
import { memberRole } from './channel';

/**
 * What a system message (`type: 'system'`) reports. The server writes one, in the same
 * transaction as the change, for each of these; a newer server may add kinds, so a client shows
 * the message's plain `text` for a kind it does not know.
 */
export const SYSTEM_MESSAGE_KINDS = [
  'member.added', // actor added target_ids
  'member.joined', // actor added themselves (target_ids: [actor])
  'member.removed', // actor (a moderator, or the app's backend) removed target_ids
  'member.left', // actor left (target_ids: [actor])
  'member.role_changed', // actor made target_ids[0] `role`
  'member.banned', // actor banned target_ids[0], until `expires_at` (null: for good)
  'member.unbanned', // actor lifted target_ids[0]'s ban
  'channel.frozen',
  'channel.unfrozen',
  'channel.truncated', // actor hid every message before this one
] as const;
export type SystemMessageKind = (typeof SYSTEM_MESSAGE_KINDS)[number];

/**
 * The structured part of a system message, for clients to render and translate it (its `text` is
 * a plain English default). `actor_id` is null when the app's backend (a server token) acted.
 */
export const systemMessageInfo = z.object({
  kind: z.string().max(64),
  actor_id: userId.nullable(),
  target_ids: z.array(userId),
  /** `member.role_changed`: the new role. */
  role: memberRole.optional(),
  /** `member.banned`: when the ban ends (null: never). */
  expires_at: timestamp.nullable().optional(),
});
export type SystemMessageInfo = z.infer<typeof systemMessageInfo>;
