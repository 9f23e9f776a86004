import type { ChannelType, ReadState, UnreadResponse } from '@chat/protocol';
import { appendChannelEvent } from '../../events/channel-events';
import type { Actor } from '../../kernel/actor';
import { ChatError, forbidden, notFound } from '../../kernel/errors';
import { loadChannel, requireAccess } from '../channels/channel-access';
import { loadReadStates } from '../channels/channel-state';
import type { DomainDeps } from '../deps';
import { toUserRef } from '../views';
import { currentSeqOf, unreadByChannel, unreadTotalOf } from './unread';

/**
 * Marks the channel read up to a message (default: its newest). The member's unread count
 * becomes the number of later top-level messages from others (derived: see unread.ts).
 */
export async function markRead(
  deps: DomainDeps,
  actor: Actor,
  type: ChannelType,
  id: string,
  messageId?: string,
): Promise<ReadState> {
  const { db } = deps;
  if (!actor.userId) throw forbidden('Read state belongs to a user; server tokens have none');
  const userId = actor.userId;
  const access = await loadChannel(db, actor, type, id);
  requireAccess(actor, access, 'mark_read');
  if (!access.membership) throw notFound('Member');
  const channelId = access.channel.id;

  let target = messageId
    ? await db
        .selectFrom('messages')
        .select(['id', 'seq'])
        .where('channel_id', '=', channelId)
        .where('id', '=', messageId)
        .where('parent_id', 'is', null)
        .executeTakeFirst()
    : await db
        .selectFrom('messages')
        .select(['id', 'seq'])
        .where('channel_id', '=', channelId)
        .where('parent_id', 'is', null)
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
  if (messageId && !target) {
    throw new ChatError('validation_failed', 'No such message in this channel', {
      issues: [{ path: ['message_id'], message: 'No such message in this channel' }],
    });
  }
  target ??= undefined;

  const event = await db.transaction().execute(async (tx) => {
    const now = new Date();
    await tx
      .insertInto('message_reads')
      .values({
        app_id: actor.appId,
        channel_id: channelId,
        app_user_id: userId,
        message_id: target?.id ?? null,
        read_at: now,
      })
      .onConflict((oc) =>
        oc
          .columns(['channel_id', 'app_user_id'])
          .doUpdateSet({ message_id: target?.id ?? null, read_at: now }),
      )
      .execute();
    await tx
      .updateTable('channel_members')
      .set({ read_seq: target ? target.seq : currentSeqOf(tx, channelId) })
      .where('channel_id', '=', channelId)
      .where('app_user_id', '=', userId)
      .execute();
    const me = await tx
      .selectFrom('app_users')
      .select(['external_id', 'display_name', 'image', 'is_online', 'last_active_at'])
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    return appendChannelEvent(tx, actor.appId, channelId, (seq, at) => ({
      type: 'message.read' as const,
      cid: access.cid,
      seq,
      created_at: at,
      user: toUserRef(me),
      last_read_message_id: target?.id ?? null,
    }));
  });
  deps.publish({ appId: actor.appId, channelId, event });
  const [state] = await loadReadStates(db, channelId, { userIds: [userId] });
  return state!;
}

export async function getReadState(
  deps: DomainDeps,
  actor: Actor,
  type: ChannelType,
  id: string,
): Promise<ReadState[]> {
  const access = await loadChannel(deps.db, actor, type, id);
  requireAccess(actor, access, 'read');
  return loadReadStates(deps.db, access.channel.id);
}

/**
 * Unread counts of the user's channels, and their total. A muted channel keeps its own count but
 * is left out of the total (the badge a user sees).
 */
export async function getUnread(deps: DomainDeps, actor: Actor): Promise<UnreadResponse> {
  if (!actor.userId) throw forbidden('Unread counts belong to a user; server tokens have none');
  const rows = await unreadByChannel(deps.db, [actor.userId]);
  return {
    total_unread_count: unreadTotalOf(rows),
    channels: rows.map((r) => ({
      cid: `${r.type}:${r.external_id}`,
      unread_count: r.unread_count,
      muted: r.muted,
    })),
  };
}
