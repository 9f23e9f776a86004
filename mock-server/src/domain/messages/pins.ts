import {
  type ChannelType,
  LIMITS,
  type ListPinnedMessagesQuery,
  type Message,
  MODERATION_LIMITS,
  type PinnedMessagesResponse,
  timestamp,
} from '@chat/protocol';
import { sql } from 'kysely';
import { z } from 'zod';
import { bumpSeq, forgetMessageContent, recordChannelEvent } from '../../events/channel-events';
import type { Actor } from '../../kernel/actor';
import { ChatError } from '../../kernel/errors';
import type { AppDb } from '../../store/app-scope';
import { loadChannel, requireAccess } from '../channels/channel-access';
import { decodeCursor, encodeCursor } from '../cursor';
import type { DomainDeps } from '../deps';
import { toMessages } from '../views';
import { loadMessage, messageView } from './message-access';

/**
 * Pinned messages: pinning and unpinning (a `message.updated` each), and a channel's list of
 * them, newest pin first. A channel holds at most `MODERATION_LIMITS.PINNED_MESSAGES_PER_CHANNEL` pins at
 * once, counted under the channel's row lock so that two pins at once cannot pass the bound.
 * Deleted messages and those a truncate hid are neither listed nor counted.
 */

/** The pinned, undeleted messages of a channel that a truncate did not hide. */
function pinnedOf(db: AppDb, channelId: string) {
  return db
    .selectFrom('messages')
    .where('channel_id', '=', channelId)
    .where('is_pinned', '=', true)
    .where('is_deleted', '=', false)
    .where((eb) =>
      eb(
        'created_at',
        '>',
        eb.fn.coalesce(
          eb.selectFrom('channels').select('truncated_at').where('channels.id', '=', channelId),
          sql<Date>`'-infinity'::timestamptz`,
        ),
      ),
    );
}

export async function setPinned(
  deps: DomainDeps,
  actor: Actor,
  messageId: string,
  pinned: boolean,
): Promise<Message> {
  const { row, access } = await loadMessage(deps.db, actor, messageId, 'pin', { blocked: 'shown' });
  if (row.is_deleted) throw new ChatError('conflict', 'A deleted message cannot be pinned');
  if (row.is_pinned === pinned) return messageView(deps.db, actor, access, row);
  const channelId = access.channel.id;
  const result = await deps.db.transaction().execute(async (tx) => {
    // The seq first: it takes the channel's row lock, under which the pins are counted.
    const seq = await bumpSeq(tx, channelId);
    if (pinned) {
      const { count } = await pinnedOf(tx, channelId)
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow();
      if (Number(count) >= MODERATION_LIMITS.PINNED_MESSAGES_PER_CHANNEL) {
        throw new ChatError(
          'conflict',
          `A channel holds at most ${MODERATION_LIMITS.PINNED_MESSAGES_PER_CHANNEL} pinned messages: unpin one first`,
          { reason: 'pin_limit', limit: MODERATION_LIMITS.PINNED_MESSAGES_PER_CHANNEL },
        );
      }
    }
    await forgetMessageContent(tx, channelId, messageId);
    const updated = await tx
      .updateTable('messages')
      .set(
        pinned
          ? { is_pinned: true, pinned_at: new Date(), pinned_by: actor.userId, updated_at: new Date() }
          : { is_pinned: false, pinned_at: null, pinned_by: null, updated_at: new Date() },
      )
      .where('id', '=', messageId)
      .returningAll()
      .executeTakeFirstOrThrow();
    // Everyone gets the same event, so it carries no viewer's own reactions; the caller's reply does.
    const [message] = await toMessages(tx, [updated], () => access.cid, null);
    const [mine] = await toMessages(tx, [updated], () => access.cid, actor.userId);
    const event = {
      type: 'message.updated' as const,
      cid: access.cid,
      seq,
      created_at: new Date().toISOString(),
      message: message!,
    };
    await recordChannelEvent(tx, actor.appId, channelId, event);
    return { event, mine: mine! };
  });
  deps.publish({ appId: actor.appId, channelId, event: result.event });
  return result.mine;
}

/**
 * Where a page of pins ended: the last one's pin time at the database's full (microsecond)
 * precision, and its id (a JS Date would round to milliseconds and skip or repeat pins).
 */
const pinCursor = z.strictObject({ t: timestamp, id: z.uuid() });

/** A channel's pinned messages, newest pin first; readable by whoever may read the channel. */
export async function listPinnedMessages(
  deps: DomainDeps,
  actor: Actor,
  type: ChannelType,
  id: string,
  query: ListPinnedMessagesQuery,
): Promise<PinnedMessagesResponse> {
  const { db } = deps;
  const access = await loadChannel(db, actor, type, id);
  requireAccess(actor, access, 'read');
  const limit = query.limit ?? LIMITS.PAGE_SIZE_DEFAULT;
  let q = pinnedOf(db, access.channel.id)
    .selectAll()
    .select(sql<string>`to_char(pinned_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('t'));
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor, pinCursor);
    q = q.where(sql<boolean>`(pinned_at, id) < (${cursor.t}::timestamptz, ${cursor.id}::uuid)`);
  }
  const rows = await q
    .orderBy('pinned_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit).map(({ t: _, ...row }) => row);
  const last = rows[page.length - 1];
  return {
    messages: await toMessages(db, page, () => access.cid, actor.userId),
    next_cursor: rows.length > limit && last ? encodeCursor({ t: last.t, id: last.id }) : null,
  };
}
