import { z } from 'zod';
import { MODERATION_LIMITS } from '../limits';
import { safeString, timestamp } from '../primitives';

/**
 * Blocklists of an application, managed by its backend (server token) and its admin
 * users. Each list holds one kind of entry and acts in one mode on every send and edit:
 *
 * - `flag`: the message is sent, and lands in the review queue (source `blocklist`);
 * - `block`: the message is refused with `message_blocked`, whose message is the list's `reason`;
 * - `mask`: the matched text is replaced by `***` and the message is sent.
 *
 * Matching (see the server's `src/moderation/README.md`): case-insensitive, whole words, after
 * Unicode normalization, with common evasions caught (inserted punctuation or spaces between
 * letters, repeated letters, leetspeak digits, invisible characters, full-width forms).
 */
export const BLOCKLIST_KINDS = ['word', 'phrase', 'regex', 'domain', 'email'] as const;
export const blocklistKind = z.enum(BLOCKLIST_KINDS);
export type BlocklistKind = z.infer<typeof blocklistKind>;

export const BLOCKLIST_MODES = ['flag', 'block', 'mask'] as const;
export const blocklistMode = z.enum(BLOCKLIST_MODES);
export type BlocklistMode = z.infer<typeof blocklistMode>;

/** One entry as given; the server checks it against the list's kind (a regex must compile). */
export const blocklistEntry = safeString(MODERATION_LIMITS.BLOCKLIST_REGEX_LENGTH).refine(
  (value) => value.trim() !== '',
  {
    message: 'Must not be empty',
  },
);

const entryList = z.array(blocklistEntry).max(MODERATION_LIMITS.BLOCKLIST_ENTRIES);
const listName = safeString(MODERATION_LIMITS.BLOCKLIST_NAME_LENGTH).refine((value) => value.trim() !== '', {
  message: 'Must not be empty',
});
const reason = safeString(MODERATION_LIMITS.BLOCKLIST_REASON_LENGTH);

/** A blocklist without its entries (as listed). */
export const blocklistSummary = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: blocklistKind,
  mode: blocklistMode,
  /** What a blocked sender is told (null: a generic sentence), and a flag's reason in the queue. */
  reason: z.string().nullable(),
  /** An inactive list is kept but never applied. */
  is_active: z.boolean(),
  entry_count: z.number().int().min(0),
  created_at: timestamp,
  updated_at: timestamp,
});
export type BlocklistSummary = z.infer<typeof blocklistSummary>;

/** A blocklist with its entries, sorted. */
export const blocklist = blocklistSummary.extend({ entries: z.array(z.string()) });
export type Blocklist = z.infer<typeof blocklist>;

export const blocklistResponse = z.object({ blocklist });
export type BlocklistResponse = z.infer<typeof blocklistResponse>;
export const blocklistsResponse = z.object({ blocklists: z.array(blocklistSummary) });
export type BlocklistsResponse = z.infer<typeof blocklistsResponse>;

export const createBlocklistBody = z.strictObject({
  name: listName,
  kind: blocklistKind,
  mode: blocklistMode,
  reason: reason.nullable().optional(),
  is_active: z.boolean().optional(),
  entries: entryList.optional(),
});
export type CreateBlocklistBody = z.infer<typeof createBlocklistBody>;

/** Changes what is given; `entries` replaces them all. The kind of a list never changes. */
export const updateBlocklistBody = z
  .strictObject({
    name: listName.optional(),
    mode: blocklistMode.optional(),
    reason: reason.nullable().optional(),
    is_active: z.boolean().optional(),
    entries: entryList.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'Give at least one field to change' });
export type UpdateBlocklistBody = z.infer<typeof updateBlocklistBody>;

/** Adds and removes entries in bulk (removals first; an entry not there is no error). */
export const changeBlocklistEntriesBody = z
  .strictObject({ add: entryList.optional(), remove: entryList.optional() })
  .refine((body) => (body.add?.length ?? 0) + (body.remove?.length ?? 0) > 0, {
    message: 'Give entries to add or to remove',
  });
export type ChangeBlocklistEntriesBody = z.infer<typeof changeBlocklistEntriesBody>;
