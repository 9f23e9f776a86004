import {
  type ChannelType,
  LIMITS,
  type ListMessagesQuery,
  type Message,
  type MessagesResponse,
  type SendMessageBody,
  type UpdateMessageBody,
} from '@chat/protocol';
import { bumpSeq, forgetMessageContent, recordChannelEvent } from '../../events/channel-events';
import type { Actor } from '../../kernel/actor';
import { ChatError, forbidden, notFound } from '../../kernel/errors';
import type { AppDb } from '../../store/app-scope';
import type { MessageRow } from '../../store/schema';
import { type ChannelAccess, loadChannel, requireAccess } from '../channels/channel-access';
import type { DomainDeps } from '../deps';
import { type ModerationContext, recordModerationAction } from '../moderation/audit-log';
import { visibleMessages } from '../moderation/message-visibility';
import { requireActorMayWrite, visibleToOf } from '../moderation/user-restrictions';
import { requireUsers } from '../users/users';
import { toMessages } from '../views';
import { insertAttachments, releaseUploads } from './attachments';
import { type ContentHit, raiseFlags, refuseBlocked, screenText } from './content-filter';
import { linkPreviewsAfterEdit } from './link-previews';
import { loadMessage, messageView } from './message-access';

export async function getMessage(deps: DomainDeps, actor: Actor, messageId: string): Promise<Message> {
  const { row, access } = await loadMessage(deps.db, actor, messageId, 'read');
  return messageView(deps.db, actor, access, row);
}

/**
 * What a page may show: the channel's top-level messages (or one thread's), less what a truncate
 * hid, and less what the viewer may not see (others' shadowed messages, blocked users').
 */
function listedMessages(db: AppDb, access: ChannelAccess, parentId: string | null, viewerId: string | null) {
  let q = db
    .selectFrom('messages')
    .selectAll()
    .where('channel_id', '=', access.channel.id)
    .where((eb) => visibleMessages(eb, viewerId));
  q = parentId ? q.where('parent_id', '=', parentId) : q.where('parent_id', 'is', null);
  if (access.channel.truncated_at) q = q.where('created_at', '>', access.channel.truncated_at);
  return q;
}
type ListedMessages = ReturnType<typeof listedMessages>;

interface Page {
  rows: MessageRow[];
  hasMore: boolean;
  hasNewer?: boolean;
}

/**
 * A page of a channel's top-level messages (or of one thread), oldest first. Cursors are message
 * ids; pages are cut by seq, so messages arriving meanwhile never shift a page.
 */
async function pageMessages(
  db: AppDb,
  actor: Actor,
  access: ChannelAccess,
  query: ListMessagesQuery,
  parentId: string | null,
): Promise<MessagesResponse> {
  const limit = query.limit ?? LIMITS.PAGE_SIZE_DEFAULT;
  const listed = listedMessages(db, access, parentId, actor.userId);
  const page = query.around
    ? await pageAround(listed, query.around, limit)
    : await pageFromCursor(db, access, listed, query, limit);
  return {
    messages: await toMessages(db, page.rows, () => access.cid, actor.userId),
    has_more: page.hasMore,
    ...(page.hasNewer !== undefined && { has_newer: page.hasNewer }),
  };
}

/** The newest page, or the page before or after a cursor message. */
async function pageFromCursor(
  db: AppDb,
  access: ChannelAccess,
  listed: ListedMessages,
  query: ListMessagesQuery,
  limit: number,
): Promise<Page> {
  let q = listed;
  const cursorId = query.before ?? query.after;
  if (cursorId) {
    const cursor = await db
      .selectFrom('messages')
      .select('seq')
      .where('channel_id', '=', access.channel.id)
      .where('id', '=', cursorId)
      .executeTakeFirst();
    if (!cursor) {
      const field = query.before ? 'before' : 'after';
      throw new ChatError('validation_failed', 'Cursor message not found in this channel', {
        issues: [{ path: [field], message: 'No such message in this channel' }],
      });
    }
    q = q.where('seq', query.before ? '<' : '>', Number(cursor.seq));
  }
  const newestFirst = !query.after;
  const rows = await q
    .orderBy('seq', newestFirst ? 'desc' : 'asc')
    .limit(limit + 1)
    .execute();
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit);
  if (newestFirst) page.reverse();
  // Going forward, "more" is newer: said under both names, so a client reads one field either way.
  return { rows: page, hasMore, ...(query.after && { hasNewer: hasMore }) };
}

/**
 * The page a jump lands on: the target and the messages beside it. Unlike a cursor, the target
 * must be on the page, so it must be in this list (this channel's top level, or this thread) and
 * not hidden by a truncate; anything else is a 404, as for any unknown id.
 */
async function pageAround(listed: ListedMessages, targetId: string, limit: number): Promise<Page> {
  const target = await listed.where('id', '=', targetId).executeTakeFirst();
  if (!target) throw notFound('Message');
  const beside = limit - 1;
  const seq = Number(target.seq);
  // Each side fetches enough to fill the whole page alone (when the other side runs short), plus one
  // to tell whether more lie beyond.
  const [older, newer] = await Promise.all([
    listed
      .where('seq', '<', seq)
      .orderBy('seq', 'desc')
      .limit(beside + 1)
      .execute(),
    listed
      .where('seq', '>', seq)
      .orderBy('seq', 'asc')
      .limit(beside + 1)
      .execute(),
  ]);
  const { olderCount, newerCount } = splitAround(beside, older.length, newer.length);
  return {
    rows: [...older.slice(0, olderCount).reverse(), target, ...newer.slice(0, newerCount)],
    hasMore: older.length > olderCount,
    hasNewer: newer.length > newerCount,
  };
}

/**
 * Shares the `beside` places next to the target: the smaller half older, the rest newer (a limit
 * of 50 gives 24 and 25), and a side that runs short leaves its places to the other.
 */
function splitAround(
  beside: number,
  olderAvailable: number,
  newerAvailable: number,
): { olderCount: number; newerCount: number } {
  const newerWanted = Math.min(newerAvailable, Math.ceil(beside / 2));
  const olderCount = Math.min(olderAvailable, beside - newerWanted);
  const newerCount = Math.min(newerAvailable, beside - olderCount);
  return { olderCount, newerCount };
}

export async function listMessages(
  deps: DomainDeps,
  actor: Actor,
  type: ChannelType,
  id: string,
  query: ListMessagesQuery,
): Promise<MessagesResponse> {
  const access = await loadChannel(deps.db, actor, type, id);
  requireAccess(actor, access, 'read');
  return pageMessages(deps.db, actor, access, query, null);
}

export async function listReplies(
  deps: DomainDeps,
  actor: Actor,
  parentId: string,
  query: ListMessagesQuery,
): Promise<MessagesResponse> {
  const { access } = await loadMessage(deps.db, actor, parentId, 'read');
  return pageMessages(deps.db, actor, access, query, parentId);
}

/** Applies a change to a message and records the event it produces, in one transaction. */
async function changeMessage(
  deps: DomainDeps,
  actor: Actor,
  access: ChannelAccess,
  messageId: string,
  set: Record<string, unknown>,
  type: 'message.updated' | 'message.deleted',
  attachments?: SendMessageBody['attachments'],
  /** An edit's new text: its links' previews are brought in step (under the channel's lock). */
  text?: string,
  /** A moderator action (deleting another's message, restoring it): its audit record. */
  audit?: { action: string; context?: ModerationContext },
  /** Blocklists in `flag` mode that an edit's text matched: queued for review. */
  flags: ContentHit[] = [],
): Promise<Message> {
  const result = await deps.db.transaction().execute(async (tx) => {
    const seq = await bumpSeq(tx, access.channel.id);
    await forgetMessageContent(tx, access.channel.id, messageId);
    const previews = text === undefined ? {} : await linkPreviewsAfterEdit(tx, actor.appId, messageId, text);
    const row = await tx
      .updateTable('messages')
      .set({ ...set, ...previews, updated_at: new Date() })
      .where('id', '=', messageId)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (type === 'message.deleted') await releaseUploads(tx, actor.appId, messageId);
    await raiseFlags(tx, messageId, flags);
    if (audit) {
      await recordModerationAction(tx, {
        action: audit.action,
        actor,
        targetUserId: row.app_user_id,
        messageId,
        channelId: access.channel.id,
        reason: audit.context?.reason ?? null,
        details: audit.context?.details ?? {},
      });
      await audit.context?.within?.(tx);
    }
    if (attachments) {
      // The uploads the edit keeps stay; the ones it drops go with their files.
      await releaseUploads(
        tx,
        actor.appId,
        messageId,
        attachments.flatMap((a) => (a.upload_id ? [a.upload_id] : [])),
      );
      await tx.deleteFrom('message_attachments').where('message_id', '=', messageId).execute();
      if (attachments.length)
        await insertAttachments(tx, actor.appId, messageId, row.app_user_id, attachments);
    }
    // Everyone gets the same event, so it carries no viewer's own reactions; the caller's reply does.
    const [message] = await toMessages(tx, [row], () => access.cid, null);
    const [mine] = await toMessages(tx, [row], () => access.cid, actor.userId);
    const event = { type, cid: access.cid, seq, created_at: new Date().toISOString(), message: message! };
    // Events about a shadowed message are for its author alone.
    const visibleTo = visibleToOf(row);
    await recordChannelEvent(tx, actor.appId, access.channel.id, event, visibleTo);
    return { event, mine: mine!, visibleTo };
  });
  const { event, visibleTo } = result;
  deps.publish({ appId: actor.appId, channelId: access.channel.id, event, ...(visibleTo && { visibleTo }) });
  return result.mine;
}

/** Edits a message: its author only (or a server-side call). */
export async function updateMessage(
  deps: DomainDeps,
  actor: Actor,
  messageId: string,
  body: UpdateMessageBody,
): Promise<Message> {
  // A banned or timed-out user cannot edit (one read of their row).
  const [{ row, access }] = await Promise.all([
    loadMessage(deps.db, actor, messageId, 'read'),
    requireActorMayWrite(deps.db, actor),
  ]);
  if (!actor.server) {
    if (row.app_user_id !== actor.userId) throw forbidden('Only the author may edit a message');
    if (access.banned) throw new ChatError('user_banned', 'You are banned from this channel');
  }
  // System messages are the server's record of a change: nobody rewrites one.
  if (row.type === 'system') throw forbidden('A system message cannot be edited');
  if (row.is_deleted) throw new ChatError('conflict', 'A deleted message cannot be edited');
  const text = body.text ?? row.text;
  const hasAttachments = body.attachments
    ? body.attachments.length > 0
    : await hasAnyAttachment(deps.db, row.id);
  if (text.trim().length === 0 && !hasAttachments) {
    throw new ChatError('validation_failed', 'A message needs text or at least one attachment', {
      issues: [{ path: ['text'], message: 'A message needs text or at least one attachment' }],
    });
  }
  if (body.mentioned_user_ids?.length)
    await requireUsers(deps.db, body.mentioned_user_ids, 'mentioned_user_ids');
  // Blocklists: an edit's new text is screened as a send's is.
  const screened = await screenText(deps.contentFilters, actor.appId, body.text);
  if (screened?.block) {
    await refuseBlocked(deps.db, actor, screened.block, {
      channelId: access.channel.id,
      senderId: row.app_user_id,
      messageId: row.id,
    });
  }
  if (screened?.masked) body = { ...body, text: screened.text };
  return changeMessage(
    deps,
    actor,
    access,
    row.id,
    {
      ...(body.text !== undefined && { text: body.text }),
      ...(body.mentioned_user_ids !== undefined && {
        mentioned_user_ids: [...new Set(body.mentioned_user_ids)],
      }),
      ...(body.custom !== undefined && { custom: JSON.stringify(body.custom) }),
      edited_at: new Date(),
    },
    'message.updated',
    body.attachments,
    body.text,
    undefined,
    screened?.flags,
  );
}

async function hasAnyAttachment(db: AppDb, messageId: string): Promise<boolean> {
  const row = await db
    .selectFrom('message_attachments')
    .select('id')
    .where('message_id', '=', messageId)
    .executeTakeFirst();
  return !!row;
}

/**
 * Soft-deletes a message: its author, or a moderator of the channel. Deleting twice is a no-op.
 * Anyone else's deletion marks it `removed_by_moderator` and goes to the moderation audit log.
 */
export async function deleteMessage(
  deps: DomainDeps,
  actor: Actor,
  messageId: string,
  /** From a review action (domain/moderation/review-actions.ts). */
  context?: ModerationContext,
): Promise<Message> {
  const { row, access } = await loadMessage(deps.db, actor, messageId, 'read', { blocked: 'shown' });
  // A system message is nobody's own: only a moderator removes one.
  const byModerator = row.app_user_id !== actor.userId || row.type === 'system';
  if (byModerator) requireAccess(actor, access, 'delete_any_message');
  if (row.is_deleted) return messageView(deps.db, actor, access, row);
  return changeMessage(
    deps,
    actor,
    access,
    row.id,
    { is_deleted: true, deleted_at: new Date(), removed_by_moderator: byModerator },
    'message.deleted',
    undefined,
    undefined,
    byModerator ? { action: 'message.deleted', context } : undefined,
  );
}

/**
 * Undeletes a message a moderator removed (a review's `restore`): its text comes back; files
 * uploaded to it were released at the deletion and do not. A moderator action, audited.
 */
export async function restoreMessage(
  deps: DomainDeps,
  actor: Actor,
  messageId: string,
  context?: ModerationContext,
): Promise<Message> {
  const { row, access } = await loadMessage(deps.db, actor, messageId, 'read', { blocked: 'shown' });
  requireAccess(actor, access, 'delete_any_message');
  if (!row.is_deleted || !row.removed_by_moderator)
    throw new ChatError('conflict', 'Only a message removed by a moderator can be restored');
  return changeMessage(
    deps,
    actor,
    access,
    row.id,
    { is_deleted: false, deleted_at: null, removed_by_moderator: false },
    'message.updated',
    undefined,
    undefined,
    { action: 'message.restored', context },
  );
}

// Pinning lives in ./pins.ts (the per-channel bound and the pinned list).
