import type { ExpressionBuilder } from 'kysely';
import type { AppDb } from '../../store/app-scope';
import type { Database } from '../../store/schema';

/**
 * Unread counts are derived when they are read, never stored: a member keeps its read point
 * (`channel_members.read_seq`), and its unread count is the number of top-level, undeleted
 * messages from others after it. So a send writes one row whatever the channel's size, and a
 * deleted message stops counting by itself.
 *
 * Used as a correlated subquery of a query over `channel_members`:
 * `.select((eb) => unreadCountOf(eb).as('unread_count'))`.
 */
export function unreadCountOf(eb: ExpressionBuilder<Database, 'channel_members'>) {
  const count = eb
    .selectFrom('messages as unread')
    .select((sub) => sub.cast<number>(sub.fn.countAll(), 'integer').as('count'))
    .whereRef('unread.channel_id', '=', 'channel_members.channel_id')
    .whereRef('unread.seq', '>', 'channel_members.read_seq')
    .where('unread.parent_id', 'is', null)
    .where('unread.is_deleted', '=', false)
    // System messages report changes, not conversation: never unread (migration 019's index).
    .where('unread.type', '<>', 'system')
    .whereRef('unread.app_user_id', '<>', 'channel_members.app_user_id')
    // What the member cannot see does not count: shadowed messages (the partial index
    // of migration 020 leaves them out) and those of users the member blocked.
    .where('unread.shadowed', '=', false)
    .where((sub) =>
      sub.not(
        sub.exists(
          sub
            .selectFrom('user_blocks as hiding')
            .select('hiding.blocked_user_id')
            .whereRef('hiding.app_user_id', '=', 'channel_members.app_user_id')
            .whereRef('hiding.blocked_user_id', '=', 'unread.app_user_id'),
        ),
      ),
    );
  // A count is never null; coalesce only tells the type so.
  return eb.fn.coalesce(count, eb.val(0));
}

/** The unread total of a user: every channel's count but those the user muted. */
export const unreadTotalOf = (rows: readonly { unread_count: number; muted: boolean }[]): number =>
  rows.reduce((sum, r) => (r.muted ? sum : sum + r.unread_count), 0);

/**
 * Each given user's unread count in every channel they belong to that has some (muted ones too:
 * their own count still shows), newest channel first. Channels whose seq has not moved past the member's read point are skipped without
 * counting (the common case for most of a user's channels).
 */
export async function unreadByChannel(
  db: AppDb,
  userIds: readonly string[],
): Promise<
  { app_user_id: string; type: string; external_id: string; unread_count: number; muted: boolean }[]
> {
  if (userIds.length === 0) return [];
  const rows = await db
    .selectFrom('channel_members')
    .innerJoin('channels', 'channels.id', 'channel_members.channel_id')
    .select([
      'channel_members.app_user_id',
      'channels.type',
      'channels.external_id',
      'channel_members.is_muted as muted',
    ])
    .select((eb) => unreadCountOf(eb).as('unread_count'))
    .where('channel_members.app_user_id', 'in', userIds)
    .where('channels.deleted_at', 'is', null)
    .whereRef('channels.seq', '>', 'channel_members.read_seq')
    .orderBy('channels.last_message_at', 'desc')
    .execute();
  return rows.filter((r) => r.unread_count > 0);
}

/** Each given user's unread total (muted channels left out); users with none are absent. */
export async function unreadTotals(db: AppDb, userIds: readonly string[]): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  for (const row of await unreadByChannel(db, userIds))
    if (!row.muted) totals.set(row.app_user_id, (totals.get(row.app_user_id) ?? 0) + row.unread_count);
  return totals;
}

/** The seq a new member starts reading from: everything already in the channel counts as read. */
export function currentSeqOf(db: AppDb, channelId: string) {
  return db.selectFrom('channels').select('seq').where('id', '=', channelId);
}
