import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Database, MessageRow } from '../../store/schema';

/**
 * What a user may see of others' messages: not a shadowed message (sent while its
 * author was shadow-banned) unless it is their own, and nothing from a user they blocked. A
 * server token (no user) sees everything. Used as a filter of every query that reads messages
 * for a viewer: pages, replies, jumps, search, a channel's state.
 *
 * @example
 * q.where((eb) => visibleMessages(eb, actor.userId))
 */
export function visibleMessages(
  eb: ExpressionBuilder<Database, 'messages'>,
  viewerId: string | null,
): Expression<SqlBool> {
  if (viewerId === null) return eb.lit(true);
  return eb.and([
    eb.or([eb('messages.shadowed', '=', false), eb('messages.app_user_id', '=', viewerId)]),
    eb.not(
      eb.exists(
        eb
          .selectFrom('user_blocks as hiding')
          .select('hiding.blocked_user_id')
          .where('hiding.app_user_id', '=', viewerId)
          .whereRef('hiding.blocked_user_id', '=', 'messages.app_user_id'),
      ),
    ),
  ]);
}

/** Whether a message read by id is hidden from the viewer as shadowed (blocks do not hide by id). */
export function isShadowedFrom(
  row: Pick<MessageRow, 'shadowed' | 'app_user_id'>,
  viewerId: string | null,
): boolean {
  return row.shadowed && viewerId !== null && row.app_user_id !== viewerId;
}
