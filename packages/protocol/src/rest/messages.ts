import { z } from 'zod';
import { attachmentInput, message, reactionType } from '../entities/message';
import { userRef } from '../entities/user';
import { LIMITS } from '../limits';
import {
  clientMessageId,
  customData,
  httpUrl,
  messageId,
  safeString,
  timestamp,
  userId,
} from '../primitives';
import { limitParam } from './query-params';

const text = safeString(LIMITS.MESSAGE_TEXT_LENGTH);
const attachments = z.array(attachmentInput).max(LIMITS.ATTACHMENTS_PER_MESSAGE);
const mentions = z.array(userId).max(LIMITS.MENTIONS_PER_MESSAGE);

/**
 * A new message. `client_msg_id` makes the send idempotent: sending it again returns the
 * message stored the first time.
 */
export const sendMessageBody = z
  .strictObject({
    client_msg_id: clientMessageId,
    text: text.optional(),
    attachments: attachments.optional(),
    parent_id: messageId.optional(),
    quoted_message_id: messageId.optional(),
    mentioned_user_ids: mentions.optional(),
    custom: customData.optional(),
    /** No link previews for this message (nor after an edit of it). */
    skip_link_previews: z.boolean().optional(),
    /** Server-side calls only: who sends it. */
    user_id: userId.optional(),
  })
  .refine((m) => (m.text?.trim().length ?? 0) > 0 || (m.attachments?.length ?? 0) > 0, {
    message: 'A message needs text or at least one attachment',
    path: ['text'],
  });
export type SendMessageBody = z.infer<typeof sendMessageBody>;

export const updateMessageBody = z
  .strictObject({
    text: text.optional(),
    attachments: attachments.optional(),
    mentioned_user_ids: mentions.optional(),
    custom: customData.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'Give at least one field to change' });
export type UpdateMessageBody = z.infer<typeof updateMessageBody>;

/**
 * Pages go back with `before` and forward with `after` (message ids); the newest page without
 * either. `around` is the page a jump lands on (a quoted or searched message, the first unread):
 * that message and the ones beside it, about half older and half newer.
 */
export const listMessagesQuery = z
  .strictObject({
    before: messageId.optional(),
    after: messageId.optional(),
    around: messageId.optional(),
    limit: limitParam,
  })
  .superRefine((q, ctx) => {
    const given = (['before', 'after', 'around'] as const).filter((key) => q[key]);
    // Reported at the second cursor given: the first one stands.
    if (given.length > 1)
      ctx.addIssue({ code: 'custom', message: 'Use one of before, after and around', path: [given[1]!] });
  });
export type ListMessagesQuery = z.infer<typeof listMessagesQuery>;

export const addReactionBody = z.strictObject({ type: reactionType });
export type AddReactionBody = z.infer<typeof addReactionBody>;

/**
 * Who reacted to a message: `type` keeps one reaction type; `limit` defaults to 25. Pages go
 * back with the previous page's `next_cursor` (opaque).
 */
export const listReactionsQuery = z.strictObject({
  type: reactionType.optional(),
  limit: limitParam,
  cursor: safeString(512).optional(),
});
export type ListReactionsQuery = z.infer<typeof listReactionsQuery>;

/** Newest first; `next_cursor` is null on the last page. */
export const reactionsResponse = z.object({
  reactions: z.array(z.object({ type: z.string(), user: userRef, created_at: timestamp })),
  next_cursor: z.string().nullable(),
});
export type ReactionsResponse = z.infer<typeof reactionsResponse>;

/**
 * Which link preview to take off a message: its `url`, as the preview gives it. In the query
 * rather than the path, where a proxy may decode the slashes of an encoded URL.
 */
export const removeLinkPreviewQuery = z.strictObject({ url: httpUrl });
export type RemoveLinkPreviewQuery = z.infer<typeof removeLinkPreviewQuery>;

export const messageResponse = z.object({ message });
export type MessageResponse = z.infer<typeof messageResponse>;
/**
 * Oldest first. `has_more`: more in the direction of travel (older without a cursor, with
 * `before` and with `around`; newer with `after`). `has_newer`: with `around` and `after`,
 * whether newer messages follow the page (false: it reaches the newest).
 */
export const messagesResponse = z.object({
  messages: z.array(message),
  has_more: z.boolean(),
  has_newer: z.boolean().optional(),
});
export type MessagesResponse = z.infer<typeof messagesResponse>;
