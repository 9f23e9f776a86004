import {
  LIMITS,
  type ListMessagesQuery,
  type ListReactionsQuery,
  type Message,
  type MessagesResponse,
  type ReactionsResponse,
  type SendMessageBody,
  type UpdateMessageBody,
} from '@chat/protocol';
import { appendEvent, channelFor, type KitContext } from './kit-context';
import { forbidden, KitError, notFound } from './kit-error';
import type { LinkedAttachment, MessageRecord } from './records';
import { toMessage, toUserRef } from './views';

/** Message operations, as the reference server does them (mock-server/src/domain/messages). */

function attachmentsOf(input: SendMessageBody['attachments']): LinkedAttachment[] {
  return (input ?? []).map((a) => {
    if (a.upload_id !== undefined) throw KitError.notSupported('Sending an uploaded file (upload_id)');
    return a as LinkedAttachment;
  });
}

function requireUsers(ctx: KitContext, ids: readonly string[], path: string): void {
  const missing = [...new Set(ids)].filter((id) => !ctx.store.users.has(id));
  if (missing.length) throw KitError.invalid([path], `Unknown users: ${missing.join(', ')}`);
}

/** A message `actorId` may read: its channel readable by them, else "not found". */
function messageFor(ctx: KitContext, actorId: string, messageId: string, access: 'read' | 'write') {
  const message = ctx.store.message(messageId);
  if (!message) throw notFound('Message');
  try {
    return { message, ...channelFor(ctx, actorId, message.cid, access) };
  } catch (error) {
    if (error instanceof KitError && error.body.code === 'not_found') throw notFound('Message');
    throw error;
  }
}

/**
 * Sends a message. Idempotent by (user, client_msg_id): a repeat returns the message stored the
 * first time and produces no second event. `message.new` goes to the channel's watchers, and
 * members connected but watching it nowhere are notified.
 */
export function sendMessage(
  ctx: KitContext,
  actorId: string,
  cid: string,
  body: SendMessageBody,
): { message: Message; created: boolean } {
  const original = ctx.store.byClientId(actorId, body.client_msg_id);
  if (original) return { message: toMessage(ctx.store, original, actorId), created: false };
  if (body.user_id !== undefined && body.user_id !== actorId)
    throw forbidden('Only server-side calls may send as another user');
  const { channel } = channelFor(ctx, actorId, cid, 'write');
  if (channel.frozen) throw new KitError('channel_frozen', 'The channel is frozen');
  const parent = body.parent_id ? ctx.store.message(body.parent_id) : undefined;
  if (body.parent_id) {
    const problem =
      parent?.cid !== cid
        ? 'No such message in this channel'
        : parent.parent_id
          ? 'Replies cannot have replies: use the thread root'
          : parent.deleted_at
            ? 'Cannot reply to a deleted message'
            : null;
    if (problem) throw KitError.invalid(['parent_id'], problem);
  }
  if (body.quoted_message_id && ctx.store.message(body.quoted_message_id)?.cid !== cid)
    throw KitError.invalid(['quoted_message_id'], 'No such message in this channel');
  if (body.mentioned_user_ids?.length) requireUsers(ctx, body.mentioned_user_ids, 'mentioned_user_ids');
  const attachments = attachmentsOf(body.attachments);
  const topLevel = !body.parent_id;
  const event = appendEvent(ctx, channel, (seq, at) => {
    const record: MessageRecord = {
      id: ctx.newId(),
      cid,
      seq,
      client_msg_id: body.client_msg_id,
      user_id: actorId,
      text: body.text ?? '',
      attachments,
      mentioned_user_ids: [...new Set(body.mentioned_user_ids ?? [])],
      parent_id: body.parent_id ?? null,
      reply_count: 0,
      quoted_message_id: body.quoted_message_id ?? null,
      custom: body.custom ?? {},
      reactions: [],
      created_at: at,
      updated_at: at,
      edited_at: null,
      deleted_at: null,
    };
    ctx.store.addMessage(record);
    if (topLevel) channel.last_message_at = at;
    else parent!.reply_count++;
    return {
      type: 'message.new' as const,
      cid,
      seq,
      created_at: at,
      message: toMessage(ctx.store, record, actorId),
    };
  });
  ctx.sink.notifyNotWatching(channel, event);
  return { message: event.message, created: true };
}

/** Newest page, or the page before / after / around a message; oldest first. */
function page(all: readonly MessageRecord[], query: ListMessagesQuery, field: 'before' | 'after' | 'around') {
  const limit = query.limit ?? LIMITS.PAGE_SIZE_DEFAULT;
  if (query.around) {
    const at = all.findIndex((m) => m.id === query.around);
    if (at < 0) throw notFound('Message');
    const beside = limit - 1;
    const newerWanted = Math.min(all.length - at - 1, Math.ceil(beside / 2));
    const olderCount = Math.min(at, beside - newerWanted);
    const newerCount = Math.min(all.length - at - 1, beside - olderCount);
    return {
      rows: all.slice(at - olderCount, at + 1 + newerCount),
      hasMore: at - olderCount > 0,
      hasNewer: at + 1 + newerCount < all.length,
    };
  }
  const cursorId = query.before ?? query.after;
  let from = 0;
  let to = all.length;
  if (cursorId) {
    const at = all.findIndex((m) => m.id === cursorId);
    if (at < 0) throw KitError.invalid([field], 'No such message in this channel');
    if (query.before) to = at;
    else from = at + 1;
  }
  if (query.after) {
    const rows = all.slice(from, from + limit);
    return { rows, hasMore: from + limit < to, hasNewer: from + limit < to };
  }
  return { rows: all.slice(Math.max(from, to - limit), to), hasMore: to - limit > from };
}

function listed(
  ctx: KitContext,
  actorId: string,
  rows: readonly MessageRecord[],
  query: ListMessagesQuery,
): MessagesResponse {
  const field = query.before ? 'before' : query.after ? 'after' : 'around';
  const { rows: pageRows, hasMore, hasNewer } = page(rows, query, field);
  return {
    messages: pageRows.map((m) => toMessage(ctx.store, m, actorId)),
    has_more: hasMore,
    ...(hasNewer !== undefined && { has_newer: hasNewer }),
  };
}

export function listMessages(ctx: KitContext, actorId: string, cid: string, query: ListMessagesQuery) {
  channelFor(ctx, actorId, cid, 'read');
  const topLevel = ctx.store.messagesOf(cid).filter((m) => m.parent_id === null);
  return listed(ctx, actorId, topLevel, query);
}

export function listReplies(ctx: KitContext, actorId: string, parentId: string, query: ListMessagesQuery) {
  const { message } = messageFor(ctx, actorId, parentId, 'read');
  const replies = ctx.store.messagesOf(message.cid).filter((m) => m.parent_id === parentId);
  return listed(ctx, actorId, replies, query);
}

export function getMessage(ctx: KitContext, actorId: string, messageId: string): Message {
  return toMessage(ctx.store, messageFor(ctx, actorId, messageId, 'read').message, actorId);
}

/** An edit (`message.updated`) or a deletion (`message.deleted`): a new seq; everyone gets the same event. */
function changed(
  ctx: KitContext,
  actorId: string,
  message: MessageRecord,
  type: 'message.updated' | 'message.deleted',
): Message {
  const channel = ctx.store.channels.get(message.cid)!;
  appendEvent(ctx, channel, (seq, created_at) => ({
    type,
    cid: channel.cid,
    seq,
    created_at,
    message: toMessage(ctx.store, message, null),
  }));
  return toMessage(ctx.store, message, actorId);
}

/** Edits a message: its author only. */
export function updateMessage(ctx: KitContext, actorId: string, messageId: string, body: UpdateMessageBody) {
  const { message } = messageFor(ctx, actorId, messageId, 'read');
  if (message.user_id !== actorId) throw forbidden('Only the author may edit a message');
  if (message.deleted_at) throw new KitError('conflict', 'A deleted message cannot be edited');
  const text = body.text ?? message.text;
  const attachments = body.attachments ? attachmentsOf(body.attachments) : message.attachments;
  if (text.trim().length === 0 && attachments.length === 0)
    throw KitError.invalid(['text'], 'A message needs text or at least one attachment');
  if (body.mentioned_user_ids?.length) requireUsers(ctx, body.mentioned_user_ids, 'mentioned_user_ids');
  const at = ctx.now();
  message.text = text;
  message.attachments = attachments;
  if (body.mentioned_user_ids) message.mentioned_user_ids = [...new Set(body.mentioned_user_ids)];
  if (body.custom) message.custom = body.custom;
  message.edited_at = at;
  message.updated_at = at;
  return changed(ctx, actorId, message, 'message.updated');
}

/** Soft-deletes a message: its author, or a moderator or admin of the channel. Twice is a no-op. */
export function deleteMessage(ctx: KitContext, actorId: string, messageId: string): Message {
  const { message, member } = messageFor(ctx, actorId, messageId, 'read');
  if (message.user_id !== actorId && member?.role !== 'moderator' && member?.role !== 'admin')
    throw forbidden('Only the author or a moderator may delete a message');
  if (message.deleted_at) return toMessage(ctx.store, message, actorId);
  const at = ctx.now();
  message.deleted_at = at;
  message.updated_at = at;
  return changed(ctx, actorId, message, 'message.deleted');
}

/**
 * Adds or removes the actor's reaction of one type. Adding it again, or removing one that is
 * not there, changes nothing and produces no event.
 */
export function setReaction(
  ctx: KitContext,
  actorId: string,
  messageId: string,
  type: string,
  present: boolean,
): Message {
  const { message, channel } = messageFor(ctx, actorId, messageId, 'write');
  if (message.deleted_at) throw new KitError('conflict', 'A deleted message cannot take reactions');
  const at = message.reactions.findIndex((r) => r.user_id === actorId && r.type === type);
  if (present === at < 0) {
    if (present) message.reactions.push({ user_id: actorId, type, created_at: ctx.now() });
    else message.reactions.splice(at, 1);
    appendEvent(ctx, channel, (seq, created_at) => ({
      type: present ? ('reaction.new' as const) : ('reaction.deleted' as const),
      cid: channel.cid,
      seq,
      created_at,
      message: toMessage(ctx.store, message, null),
      reaction: { type, user_id: actorId },
    }));
  }
  return toMessage(ctx.store, message, actorId);
}

/** Who reacted, newest first (the cursor is an offset: pages may shift while reactions change). */
export function listReactions(
  ctx: KitContext,
  actorId: string,
  messageId: string,
  query: ListReactionsQuery,
): ReactionsResponse {
  const { message } = messageFor(ctx, actorId, messageId, 'read');
  if (message.deleted_at) return { reactions: [], next_cursor: null };
  const all = [...message.reactions].reverse().filter((r) => !query.type || r.type === query.type);
  const from = query.cursor ? Number(query.cursor) : 0;
  if (!Number.isInteger(from) || from < 0) throw KitError.invalid(['cursor'], 'Invalid cursor');
  const limit = query.limit ?? LIMITS.PAGE_SIZE_DEFAULT;
  return {
    reactions: all.slice(from, from + limit).map((r) => ({
      type: r.type,
      user: toUserRef(ctx.store, r.user_id),
      created_at: r.created_at,
    })),
    next_cursor: from + limit < all.length ? String(from + limit) : null,
  };
}
