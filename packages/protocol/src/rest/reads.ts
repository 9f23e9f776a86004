import { z } from 'zod';
import { draft, readState } from '../entities/channel';
import { LIMITS } from '../limits';
import { cid, messageId, safeString } from '../primitives';

/** Marks the channel read up to `message_id`, or up to its newest message. */
export const markReadBody = z.strictObject({ message_id: messageId.optional() });
export type MarkReadBody = z.infer<typeof markReadBody>;

export const readResponse = z.object({ read: z.array(readState) });

/**
 * The user's unread counts: every channel with something unread, and the total the badge shows,
 * which leaves out channels the user muted (their own count still shows).
 */
export const unreadResponse = z.object({
  total_unread_count: z.number().int().min(0),
  channels: z.array(z.object({ cid, unread_count: z.number().int().min(0), muted: z.boolean() })),
});
export type UnreadResponse = z.infer<typeof unreadResponse>;

export const saveDraftBody = z.strictObject({
  text: safeString(LIMITS.MESSAGE_TEXT_LENGTH),
  parent_id: messageId.optional(),
});
export type SaveDraftBody = z.infer<typeof saveDraftBody>;

export const draftQuery = z.strictObject({ parent_id: messageId.optional() });
export const draftResponse = z.object({ draft: draft.nullable() });
