import { LIMITS } from '@chat/protocol';
import type { Actor } from '../../kernel/actor';
import { ChatError } from '../../kernel/errors';
import type { AppDb } from '../../store/app-scope';
import { recordModerationAction } from '../moderation/audit-log';
import { flagAutomatically } from '../moderation/reports';

/**
 * The application's blocklists, as the domain sees them: a port (implemented by
 * moderation/blocklist-cache.ts) asked about the text of every send and edit, REST and socket
 * alike. An app with no active list answers null from memory, so it costs the send nothing.
 */
export interface ContentFilters {
  forApp(appId: string): Promise<ContentFilter | null>;
}

export interface ContentFilter {
  /** What the lists say about `text` (pure, in memory, linear in the text). */
  check(text: string): ContentVerdict;
}

/** A list that matched, and the first of its entries found. */
export interface ContentHit {
  listId: string;
  name: string;
  reason: string | null;
  entry: string;
}

export interface ContentVerdict {
  /** A `block` list matched: the message is refused. */
  block: ContentHit | null;
  /** `flag` lists that matched: the stored message goes to the review queue. */
  flags: ContentHit[];
  /** The text to store: what `mask` lists matched is replaced by `***`. */
  text: string;
  masked: boolean;
}

const DEFAULT_BLOCK_REASON = 'The message contains content this application does not allow';

/** The verdict on `text`, or null when the app has no lists (or there is no text). */
export async function screenText(
  filters: ContentFilters | undefined,
  appId: string,
  text: string | undefined,
): Promise<ContentVerdict | null> {
  if (!filters || !text) return null;
  const filter = await filters.forApp(appId);
  const verdict = filter ? filter.check(text) : null;
  // Masks of one-letter entries can lengthen a text: it stays within the message limit.
  if (verdict?.masked && verdict.text.length > LIMITS.MESSAGE_TEXT_LENGTH) {
    let cut = verdict.text.slice(0, LIMITS.MESSAGE_TEXT_LENGTH);
    if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
    return { ...verdict, text: cut };
  }
  return verdict;
}

/**
 * Refuses a blocked message: `message_blocked` with the list's reason, naming the list (never
 * its entries). The refusal is recorded in the audit log (`blocklist.blocked`, with the entry
 * that matched, for the app's moderators), in its own transaction since nothing else is written.
 */
export async function refuseBlocked(
  db: AppDb,
  actor: Actor,
  hit: ContentHit,
  where: { channelId: string; senderId: string; messageId?: string },
): Promise<never> {
  await db.transaction().execute((tx) =>
    recordModerationAction(tx, {
      action: 'blocklist.blocked',
      actor,
      targetUserId: where.senderId,
      channelId: where.channelId,
      messageId: where.messageId ?? null,
      reason: hit.reason,
      details: {
        blocklist_id: hit.listId,
        blocklist_name: hit.name,
        entry: hit.entry,
        on: where.messageId ? 'edit' : 'send',
      },
    }),
  );
  throw new ChatError('message_blocked', hit.reason ?? DEFAULT_BLOCK_REASON, {
    blocklist_id: hit.listId,
    blocklist_name: hit.name,
  });
}

/** Puts a stored message that `flag` lists matched in the review queue, in its transaction. */
export async function raiseFlags(tx: AppDb, messageId: string, flags: ContentHit[]): Promise<void> {
  if (flags.length === 0) return;
  const first = flags[0]!;
  await flagAutomatically(tx, {
    messageId,
    reason: first.reason ?? `Matched the blocklist "${first.name}"`,
    details: {
      blocklists: flags.map((hit) => ({
        blocklist_id: hit.listId,
        blocklist_name: hit.name,
        entry: hit.entry,
      })),
    },
  });
}
