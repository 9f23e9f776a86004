import { z } from 'zod';
import { message } from '../entities/message';
import { LIMITS } from '../limits';
import { cid, safeString } from '../primitives';
import { limitParam } from './query-params';

export const searchQuery = z.strictObject({
  query: safeString(LIMITS.SEARCH_QUERY_LENGTH).min(1),
  cid: cid.optional(),
  limit: limitParam,
  /** Opaque cursor from the previous page's `next_cursor`. */
  cursor: safeString(512).optional(),
});
export type SearchQuery = z.infer<typeof searchQuery>;

export const searchResponse = z.object({
  results: z.array(z.object({ message })),
  next_cursor: z.string().nullable(),
});
export type SearchResponse = z.infer<typeof searchResponse>;
