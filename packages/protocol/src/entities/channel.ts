import { z } from 'zod';
import { channelId, channelType, cid, customData, sequence, timestamp, userId } from '../primitives';
import { userRef } from './user';

export const channel = z.object({
  cid,
  type: channelType,
  id: channelId,
  name: z.string().nullable(),
  image: z.string().nullable(),
  custom: customData,
  created_by: userId.nullable(),
  member_count: z.number().int().min(0),
  frozen: z.boolean(),
  /** The channel's event sequence: every event about it carries the value it produced. */
  seq: sequence,
  last_message_at: timestamp.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
  deleted_at: timestamp.nullable(),
  truncated_at: timestamp.nullable(),
  /**
   * Slow mode: seconds a member must wait between two messages (0: off). Moderators, admins and
   * the app's backend are exempt. Always sent by the server; absent in data older than it.
   */
  slow_mode_s: z.number().int().min(0).optional(),
});
export type Channel = z.infer<typeof channel>;

export const MEMBER_ROLES = ['member', 'moderator', 'admin'] as const;
export const memberRole = z.enum(MEMBER_ROLES);
export type MemberRole = z.infer<typeof memberRole>;

export const member = z.object({
  cid,
  user_id: userId,
  user: userRef,
  role: memberRole,
  muted: z.boolean(),
  banned: z.boolean(),
  ban_expires_at: timestamp.nullable(),
  unread_count: z.number().int().min(0),
  created_at: timestamp,
  updated_at: timestamp,
});
export type Member = z.infer<typeof member>;

/** How far one member has read a channel. */
export const readState = z.object({
  user_id: userId,
  last_read_message_id: z.uuid().nullable(),
  last_read_at: timestamp.nullable(),
  unread_count: z.number().int().min(0),
});
export type ReadState = z.infer<typeof readState>;

export const draft = z.object({
  cid,
  parent_id: z.uuid().nullable(),
  text: z.string(),
  updated_at: timestamp,
});
export type Draft = z.infer<typeof draft>;
