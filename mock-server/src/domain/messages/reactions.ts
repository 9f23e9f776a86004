import {
  LIMITS,
  type ListReactionsQuery,
  type Message,
  type ReactionsResponse,
  timestamp,
} from '@chat/protocol';
import { sql } from 'kysely';
import { z } from 'zod';
import { bumpSeq, recordChannelEvent } from '../../events/channel-events';
import type { Actor } from '../../kernel/actor';
import { ChatError, forbidden } from '../../kernel/errors';
import { decodeCursor, encodeCursor } from '../cursor';
import type { DomainDeps } from '../deps';
import { blockedBy } from '../moderation/message-visibility';
import { requireActorMayWrite, visibleToOf } from '../moderation/user-restrictions';
import { toMessages, toUserRef } from '../views';
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
  // A banned or timed-out user cannot react (one read of their row).
  const [{ row, access }] = await Promise.all([
    loadMessage(deps.db, actor, messageId, 'react'),
    requireActorMayWrite(deps.db, actor),
  ]);
  if (row.is_deleted) throw new ChatError('conflict', 'A deleted message cannot take reactions');
  // Events about a shadowed message are for its author alone.
  const visibleTo = visibleToOf(row);
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
    await recordChannelEvent(tx, actor.appId, access.channel.id, event, visibleTo);
    return event;
  });
  if (event)
    deps.publish({
      appId: actor.appId,
      channelId: access.channel.id,
      event,
      ...(visibleTo && { visibleTo }),
    });
  return messageView(deps.db, actor, access, row);
}

/**
 * Where a page of reactions ended: the last one's time at the database's full (microsecond)
 * precision, and its id. A JS Date would round the time to milliseconds, and the next page would
 * then skip or repeat reactions made within the same millisecond. The time is range-checked (a
 * year PostgreSQL cannot take would be a 500).
 */
const reactionCursor = z.strictObject({ t: timestamp, id: z.uuid() });

/**
 * Who reacted to a message, newest first, optionally of one type. Readable by whoever may read
 * the message (its channel unreadable, or the message another app's, answers 404). A deleted
 * message lists nothing, as its `reaction_counts` are empty; every reaction its counts include
 * is listed (a banned member's too) but those of users the viewer blocked.
 */
export async function listReactions(
  deps: DomainDeps,
  actor: Actor,
  messageId: string,
  query: ListReactionsQuery,
): Promise<ReactionsResponse> {
  const { row } = await loadMessage(deps.db, actor, messageId, 'read');
  if (row.is_deleted) return { reactions: [], next_cursor: null };
  const limit = query.limit ?? LIMITS.PAGE_SIZE_DEFAULT;
  let q = deps.db
    .selectFrom('message_reactions as r')
    .innerJoin('app_users as u', 'u.id', 'r.app_user_id')
    .select(['r.id', 'r.type', 'r.created_at'])
    .select(['u.external_id', 'u.display_name', 'u.image', 'u.is_online', 'u.last_active_at'])
    .select(sql<string>`to_char(r.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('t'))
    .where('r.message_id', '=', row.id);
  // Users the viewer blocked are not among those listed (the counts stay totals, as a tally).
  if (actor.userId) q = q.where((eb) => eb.not(blockedBy(eb, actor.userId!, 'r.app_user_id')));
  if (query.type) q = q.where('r.type', '=', query.type);
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor, reactionCursor);
    q = q.where(sql<boolean>`(r.created_at, r.id) < (${cursor.t}::timestamptz, ${cursor.id}::uuid)`);
  }
  const rows = await q
    .orderBy('r.created_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    reactions: page.map((r) => ({
      type: r.type,
      user: toUserRef(r),
      created_at: new Date(r.created_at).toISOString(),
    })),
    next_cursor: rows.length > limit && last ? encodeCursor({ t: last.t, id: last.id }) : null,
  };
}
