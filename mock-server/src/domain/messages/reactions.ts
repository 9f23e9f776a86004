import type { Message } from '@chat/protocol';
import { bumpSeq, recordChannelEvent } from '../../events/channel-events';
import type { Actor } from '../../kernel/actor';
import { ChatError, forbidden } from '../../kernel/errors';
import type { DomainDeps } from '../deps';
import { toMessages } from '../views';
import { loadMessage, messageView } from './message-access';

/**
 * Adds or removes the actor's reaction of one type. One reaction per user per type: adding it
 * again, or removing one that is not there, changes nothing and produces no event.
 */
export async function setReaction(
  deps: DomainDeps,
  actor: Actor,
  messageId: string,
  type: string,
  present: boolean,
): Promise<Message> {
  if (!actor.userId) throw forbidden('Reactions belong to a user; server tokens have none');
  const userId = actor.userId;
  const { row, access } = await loadMessage(deps.db, actor, messageId, 'react');
  if (row.is_deleted) throw new ChatError('conflict', 'A deleted message cannot take reactions');
  const event = await deps.db.transaction().execute(async (tx) => {
    const changed = present
      ? await tx
          .insertInto('message_reactions')
          .values({ app_id: actor.appId, message_id: row.id, app_user_id: userId, type })
          .onConflict((oc) => oc.columns(['message_id', 'app_user_id', 'type']).doNothing())
          .returning('id')
          .executeTakeFirst()
      : await tx
          .deleteFrom('message_reactions')
          .where('message_id', '=', row.id)
          .where('app_user_id', '=', userId)
          .where('type', '=', type)
          .returning('id')
          .executeTakeFirst();
    if (!changed) return null;
    const seq = await bumpSeq(tx, access.channel.id);
    // Broadcast without any viewer's own reactions; the caller gets theirs in the reply.
    const [message] = await toMessages(tx, [row], () => access.cid, null);
    const event = {
      type: present ? ('reaction.new' as const) : ('reaction.deleted' as const),
      cid: access.cid,
      seq,
      created_at: new Date().toISOString(),
      message: message!,
      reaction: { type, user_id: actor.externalId! },
    };
    await recordChannelEvent(tx, actor.appId, access.channel.id, event);
    return event;
  });
  if (event) deps.publish({ appId: actor.appId, channelId: access.channel.id, event });
  return messageView(deps.db, actor, access, row);
}
