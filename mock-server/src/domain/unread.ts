import { type RawBuilder, sql } from 'kysely';
import type { Db } from './actor';

/**
 * Unread counts are derived when they are read, never stored: a member keeps its read point
 * (`channel_members.read_seq`), and its unread count is the number of top-level, undeleted
 * messages from others after it. So a send writes one row whatever the channel's size, and a
 * deleted message stops counting by itself.
 *
 * `member` names the `channel_members` row of the query (its table name or alias).
 */
export function unreadCountOf(member: string): RawBuilder<number> {
  const col = (name: string) => sql.ref(`${member}.${name}`);
  return sql<number>`(select count(*)::int from messages unread
    where unread.channel_id = ${col('channel_id')}
      and unread.seq > ${col('read_seq')}
      and unread.parent_id is null
      and not unread.is_deleted
      and unread.app_user_id <> ${col('app_user_id')})`;
}

/**
 * Each given user's unread count in every channel they belong to that has some, newest channel
 * first. Channels whose seq has not moved past the member's read point are skipped without
 * counting (the common case for most of a user's channels).
 */
export async function unreadByChannel(
  db: Db,
  appId: string,
  userIds: readonly string[],
): Promise<{ app_user_id: string; type: string; external_id: string; unread_count: number }[]> {
  if (userIds.length === 0) return [];
  const rows = await db
    .selectFrom('channel_members')
    .innerJoin('channels', 'channels.id', 'channel_members.channel_id')
    .select([
      'channel_members.app_user_id',
      'channels.type',
      'channels.external_id',
      unreadCountOf('channel_members').as('unread_count'),
    ])
    .where('channel_members.app_id', '=', appId)
    .where('channel_members.app_user_id', 'in', userIds)
    .where('channels.deleted_at', 'is', null)
    .whereRef('channels.seq', '>', 'channel_members.read_seq')
    .orderBy('channels.last_message_at', 'desc')
    .execute();
  return rows.filter((r) => r.unread_count > 0);
}

/** The seq a new member starts reading from: everything already in the channel counts as read. */
export function currentSeqOf(channelId: string): RawBuilder<number> {
  return sql<number>`(select seq from channels where id = ${channelId})`;
}
