import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { Database } from '../../store/schema';

/**
 * What a user may see of others' messages: not a shadowed message (sent while its
 * author was shadow-banned) unless it is their own, and nothing from a user they blocked. A
 * server token (no user) sees everything. Used as a filter of every query that reads messages
 * for a viewer: pages, replies, jumps, search, a channel's state, a message by id, quotes.
 *
 * @example
 * q.where((eb) => visibleMessages(eb, actor.userId))
 */
export function visibleMessages(
  eb: ExpressionBuilder<Database, 'messages'>,
  viewerId: string | null,
  /** `shown`: a moderator's act on a message (delete, restore, pin) reaches blocked users' too. */
  blocked: 'hidden' | 'shown' = 'hidden',
): Expression<SqlBool> {
  if (viewerId === null) return eb.lit(true);
  const notShadowed = eb.or([eb('messages.shadowed', '=', false), eb('messages.app_user_id', '=', viewerId)]);
  if (blocked === 'shown') return notShadowed;
  return eb.and([notShadowed, eb.not(blockedBy(eb, viewerId, 'messages.app_user_id'))]);
}

/**
 * Whether the user in `userColumn` is one `viewerId` blocked: what the viewer reads of them
 * (messages, who reacted) leaves them out.
 */
export function blockedBy<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  viewerId: string,
  userColumn: string,
): Expression<SqlBool> {
  const loose = eb as unknown as ExpressionBuilder<Database & Record<string, Record<string, unknown>>, never>;
  return loose.exists(
    loose
      .selectFrom('user_blocks as hiding')
      .select('hiding.blocked_user_id')
      .where('hiding.app_user_id', '=', viewerId)
      .where('hiding.blocked_user_id', '=', sql.ref<string>(userColumn)),
  );
}
