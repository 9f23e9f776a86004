import type { Message } from '@chat/protocol';
import type { Actor } from '../../kernel/actor';
import { notFound } from '../../kernel/errors';
import type { AppDb } from '../../store/app-scope';
import type { MessageRow } from '../../store/schema';
import { type ChannelAccess, loadChannelById, requireAccess } from '../channels/channel-access';
import type { Action } from '../channels/permissions';
import { visibleMessages } from '../moderation/message-visibility';
import { toMessages } from '../views';

/**
 * Loads a message of the actor's app with its channel, checking the actor may `action` there.
 * `blocked: 'shown'` for a moderator's acts (delete, restore, pin): a moderator who blocked a
 * user can still remove what that user was reported for; and for a report (a user may report
 * what they blocked).
 */
export async function loadMessage(
  db: AppDb,
  actor: Actor,
  messageId: string,
  action: Action,
  { blocked = 'hidden' }: { blocked?: 'hidden' | 'shown' } = {},
): Promise<{ row: MessageRow; access: ChannelAccess }> {
  // Another's shadowed message, or one of a user the viewer blocked, does not exist for the viewer
  // (to read, quote, react to or reply to: what one cannot see, one cannot act on).
  const row = await db
    .selectFrom('messages')
    .selectAll()
    .where('id', '=', messageId)
    .where((eb) => visibleMessages(eb, actor.userId, blocked))
    .executeTakeFirst();
  if (!row) throw notFound('Message');
  const access = await loadChannelById(db, actor, row.channel_id).catch(() => {
    throw notFound('Message');
  });
  // Messages hidden by a truncate are gone for everyone.
  if (access.channel.truncated_at && row.created_at <= access.channel.truncated_at) throw notFound('Message');
  requireAccess(actor, access, action);
  return { row, access };
}

export async function messageView(
  db: AppDb,
  actor: Actor,
  access: ChannelAccess,
  row: MessageRow,
): Promise<Message> {
  const [message] = await toMessages(db, [row], () => access.cid, actor.userId);
  return message!;
}
