import { z } from 'zod';
import { message } from '../entities/message';
import { MODERATION_LIMITS } from '../limits';
import { safeString } from '../primitives';
import { limitParam } from './query-params';

/** Slow mode: seconds a member must wait between two messages; 0 turns it off. */
export const setSlowModeBody = z.strictObject({
  slow_mode_s: z.number().int().min(0).max(MODERATION_LIMITS.SLOW_MODE_SECONDS_MAX),
});
export type SetSlowModeBody = z.infer<typeof setSlowModeBody>;

/** A page of a channel's pinned messages; `limit` defaults to 25, `cursor` is the last page's `next_cursor`. */
export const listPinnedMessagesQuery = z.strictObject({
  limit: limitParam,
  cursor: safeString(512).optional(),
});
export type ListPinnedMessagesQuery = z.infer<typeof listPinnedMessagesQuery>;

/**
 * Newest pin first; each message says who pinned it and when (`pinned_by`, `pinned_at`). A deleted
 * message, or one a truncate hid, is not listed. `next_cursor` is null on the last page.
 */
export const pinnedMessagesResponse = z.object({
  messages: z.array(message),
  next_cursor: z.string().nullable(),
});
export type PinnedMessagesResponse = z.infer<typeof pinnedMessagesResponse>;
