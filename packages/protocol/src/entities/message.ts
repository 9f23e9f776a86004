import { z } from 'zod';
import { LIMITS } from '../limits';
import {
  cid,
  clientMessageId,
  customData,
  httpUrl,
  messageId,
  safeString,
  sequence,
  timestamp,
  userId,
} from '../primitives';
import { userRef } from './user';

export const ATTACHMENT_TYPES = ['image', 'video', 'audio', 'file'] as const;

export const attachment = z.strictObject({
  type: z.enum(ATTACHMENT_TYPES),
  url: httpUrl,
  name: safeString(255).optional(),
  mime_type: z
    .string()
    .max(255)
    .regex(/^[\w.+-]+\/[\w.+-]+$/, 'Must be a MIME type like image/png')
    .optional(),
  file_size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  width: z.number().int().min(1).max(100_000).optional(),
  height: z.number().int().min(1).max(100_000).optional(),
  thumb_url: httpUrl.optional(),
});
export type Attachment = z.infer<typeof attachment>;

export const reaction = z.object({
  message_id: messageId,
  user_id: userId,
  type: z.string(),
  created_at: timestamp,
});
export type Reaction = z.infer<typeof reaction>;

export const reactionType = safeString(LIMITS.REACTION_TYPE_LENGTH).min(1);

export const MESSAGE_TYPES = ['regular', 'system', 'deleted'] as const;

const messageFields = {
  id: messageId,
  cid,
  /** The channel sequence at which this message was created; orders a channel's messages. */
  seq: sequence,
  client_msg_id: clientMessageId.nullable(),
  type: z.enum(MESSAGE_TYPES),
  text: z.string(),
  user_id: userId,
  user: userRef,
  attachments: z.array(attachment),
  mentioned_user_ids: z.array(userId),
  parent_id: messageId.nullable(),
  reply_count: z.number().int().min(0),
  quoted_message_id: messageId.nullable(),
  reaction_counts: z.record(z.string(), z.number().int().min(0)),
  own_reactions: z.array(z.string()),
  pinned: z.boolean(),
  pinned_at: timestamp.nullable(),
  pinned_by: userId.nullable(),
  custom: customData,
  created_at: timestamp,
  updated_at: timestamp,
  edited_at: timestamp.nullable(),
  deleted_at: timestamp.nullable(),
};

/** A message as the server returns it. A quoted message is embedded one level deep. */
export const message = z.object({
  ...messageFields,
  quoted_message: z.object(messageFields).nullable().optional(),
});
export type Message = z.infer<typeof message>;
