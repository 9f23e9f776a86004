import type { EventOf } from '@chat/protocol';
import type { Envelope } from '../bus/envelope';
import { unreadCountOf } from '../domain/reads/unread';
import type { AppDb } from '../store/app-scope';
import { withoutQuote } from './hidden-events';
import type { MemberDirectory } from './member-directory';
import type { Registry } from './registry';

/**
 * Members connected to this node but not watching the channel learn of a new top-level message
 * with their unread counts (`notification.message_new`). Finding them walks the smaller of the
 * channel's members and this node's connected users; the database is asked only when someone
 * is to be told.
 */
export async function notifyMembersNotWatching(
  db: AppDb,
  registry: Registry,
  directory: MemberDirectory,
  envelope: Envelope,
  channelId: string,
): Promise<void> {
  const event = envelope.event as EventOf<'message.new'>;
  // Thread replies and system messages change no unread count: nothing to tell.
  if (event.message.parent_id || event.message.type === 'system') return;
  // User safety: a shadowed message is for its author alone, never notified of it.
  if (envelope.visibleTo !== undefined) return;
  // Every user connected here watches the channel (a busy room): nobody to find, no walk.
  if (registry.userCount === registry.watchingUserCount(channelId)) return;
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

  // One read: each candidate's memberships with something unread, and always this channel's
  // (for the ban and its own count), so the channel's count and the total come from one count.
  const rows = await db
    .selectFrom('channel_members')
    .innerJoin('channels', 'channels.id', 'channel_members.channel_id')
    .select([
      'channel_members.app_user_id',
      'channel_members.channel_id',
      'channel_members.is_banned',
      'channel_members.ban_expires_at',
      'channel_members.is_muted',
    ])
    .select((eb) => unreadCountOf(eb).as('unread_count'))
    .where('channel_members.app_user_id', 'in', candidates)
    .where('channels.deleted_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('channel_members.channel_id', '=', channelId),
        eb('channels.seq', '>', eb.ref('channel_members.read_seq')),
      ]),
    )
    .execute();
  const now = new Date();
  const totals = new Map<string, number>();
  const recipients: typeof rows = [];
  for (const row of rows) {
    // A muted channel keeps its own count but stays out of the total.
    if (!row.is_muted) totals.set(row.app_user_id, (totals.get(row.app_user_id) ?? 0) + row.unread_count);
    if (row.channel_id !== channelId) continue;
    const banned = row.is_banned && (row.ban_expires_at === null || row.ban_expires_at > now);
    if (!banned) recipients.push(row);
  }
  if (recipients.length === 0) return;
  const quotedAuthor = event.message.quoted_message?.user_id;
  for (const member of recipients) {
    const notification = (message: typeof event.message) =>
      JSON.stringify({
        type: 'notification.message_new',
        cid: event.cid,
        seq: event.seq,
        created_at: event.created_at,
        message,
        unread_count: member.unread_count,
        total_unread_count: totals.get(member.app_user_id) ?? 0,
      });
    const json = notification(event.message);
    for (const conn of registry.ofUser(member.app_user_id)) {
      // The sender's other devices already know: they hold the ack or will load the channel.
      // Nothing from a user this user blocked, nor a quote of them.
      if (conn.blocked?.has(event.message.user_id)) continue;
      if (conn.actor?.appId !== envelope.appId || conn.actor.externalId === event.message.user_id) continue;
      const unquoted = quotedAuthor !== undefined && conn.blocked?.has(quotedAuthor);
      conn.send(unquoted ? notification(withoutQuote(event).message) : json);
    }
  }
}
