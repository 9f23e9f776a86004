import type { EventOf } from '@chat/protocol';
import type { Envelope } from '../bus/envelope';
import type { Db } from '../domain/actor';
import { unreadByChannel, unreadCountOf } from '../domain/unread';
import type { MemberDirectory } from './member-directory';
import type { Registry } from './registry';

/**
 * Members connected to this node but not watching the channel learn of a new top-level message
 * with their unread counts (`notification.message_new`). Finding them walks the smaller of the
 * channel's members and this node's connected users; the database is asked only when someone
 * is to be told.
 */
export async function notifyMembersNotWatching(
  db: Db,
  registry: Registry,
  directory: MemberDirectory,
  envelope: Envelope,
  channelId: string,
): Promise<void> {
  const event = envelope.event as EventOf<'message.new'>;
  if (event.message.parent_id) return;
  const members = await directory.membersOf(envelope.appId, channelId);
  const candidates: string[] = [];
  const consider = (userId: string) => {
    let connected = false;
    for (const conn of registry.ofUser(userId)) {
      if (conn.actor?.appId !== envelope.appId) continue;
      if (conn.watching.has(channelId)) return;
      connected = true;
    }
    if (connected) candidates.push(userId);
  };
  if (members.size <= registry.userCount) {
    for (const userId of members) consider(userId);
  } else {
    for (const userId of registry.users()) if (members.has(userId)) consider(userId);
  }
  if (candidates.length === 0) return;

  const now = new Date();
  const rows = await db
    .selectFrom('channel_members')
    .select([
      'app_user_id',
      'is_banned',
      'ban_expires_at',
      unreadCountOf('channel_members').as('unread_count'),
    ])
    .where('app_id', '=', envelope.appId)
    .where('channel_id', '=', channelId)
    .where('app_user_id', 'in', candidates)
    .execute();
  const recipients = rows.filter(
    (m) => !m.is_banned || (m.ban_expires_at !== null && m.ban_expires_at <= now),
  );
  if (recipients.length === 0) return;
  const totals = new Map<string, number>();
  for (const row of await unreadByChannel(
    db,
    envelope.appId,
    recipients.map((r) => r.app_user_id),
  )) {
    totals.set(row.app_user_id, (totals.get(row.app_user_id) ?? 0) + row.unread_count);
  }
  for (const member of recipients) {
    const json = JSON.stringify({
      type: 'notification.message_new',
      cid: event.cid,
      seq: event.seq,
      created_at: event.created_at,
      message: event.message,
      unread_count: member.unread_count,
      total_unread_count: totals.get(member.app_user_id) ?? member.unread_count,
    });
    for (const conn of registry.ofUser(member.app_user_id)) {
      // The sender's other devices already know: they hold the ack or will load the channel.
      if (conn.actor?.appId === envelope.appId && conn.actor.externalId !== event.message.user_id)
        conn.send(json);
    }
  }
}
