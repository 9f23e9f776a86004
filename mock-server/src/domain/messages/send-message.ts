import type { ChannelType, EventOf, Message, SendMessageBody } from '@chat/protocol';
import { sql } from 'kysely';
import { recordChannelEvent } from '../../events/channel-events';
import type { Actor } from '../../kernel/actor';
import { ChatError, forbidden } from '../../kernel/errors';
import type { AppDb } from '../../store/app-scope';
import type { AppUserRow, MessageRow } from '../../store/schema';
import { type ChannelAccess, loadChannel, requireAccess } from '../channels/channel-access';
import { requireCooledDown, slowModeCooldown, takeSlowModeTurn } from '../channels/slow-mode';
import type { DomainDeps } from '../deps';
import { visibleMessages } from '../moderation/message-visibility';
import { requireNoBlockInDirect } from '../moderation/user-blocks';
import { requireMayWrite } from '../moderation/user-restrictions';
import { requireUsers } from '../users/users';
import { toMessages, toUserRef } from '../views';
import { insertAttachments } from './attachments';
import { type ContentHit, raiseFlags, refuseBlocked, screenText } from './content-filter';
import { requestLinkPreviews } from './link-previews';

const UNIQUE_VIOLATION = '23505';

/**
 * Sends a message. Idempotent by (user, client_msg_id): a repeat, even a concurrent one, returns
 * the message stored first and produces no second event.
 */
export async function sendMessage(
  deps: DomainDeps,
  actor: Actor,
  type: ChannelType,
  id: string,
  body: SendMessageBody,
): Promise<{ message: Message; created: boolean }> {
  const { db } = deps;
  // The sender's row is read now, outside the transaction, so the transaction (which holds the
  // channel's row lock) does not wait for it.
  const [access, senderRow] = await Promise.all([
    loadChannel(db, actor, type, id),
    resolveSender(db, actor, body),
  ]);
  const senderId = senderRow.id;
  const sender = actor.server ? { ...actor, userId: senderId, server: false } : actor;
  const senderAccess = actor.server ? await loadChannel(db, sender, type, id) : access;
  // Slow mode: 0 when off or exempt, and then it costs no statement.
  const cooldown = slowModeCooldown(actor, access);

  try {
    if (!actor.server) requireAccess(actor, access, 'send');
    else if (senderAccess.banned)
      throw new ChatError('user_banned', 'The sender is banned from this channel');
    if (access.channel.is_frozen && !actor.server)
      throw new ChatError('channel_frozen', 'The channel is frozen');
    requireCooledDown(access, cooldown);
    // User safety: an app ban or a timeout, read from the sender's row (no statement);
    // blocks only when the sender takes part in one and the channel may be a direct conversation.
    requireMayWrite(senderRow);
    if (access.channel.type === 'messaging' && senderRow.block_count > 0)
      await requireNoBlockInDirect(db, access.channel.id, senderId);
  } catch (error) {
    // A retry of a send that went through before the sender lost the right gets the message.
    const original = await findByClientId(db, senderId, body.client_msg_id);
    if (original) return { message: await existingView(db, actor, original), created: false };
    throw error;
  }

  if (body.parent_id) await requireSameChannel(db, access, actor, body.parent_id, 'parent_id', true);
  if (body.quoted_message_id)
    await requireSameChannel(db, access, actor, body.quoted_message_id, 'quoted_message_id', false);
  if (body.mentioned_user_ids?.length) await requireUsers(db, body.mentioned_user_ids, 'mentioned_user_ids');

  const hook = await deps.beforeSend?.forApp(actor.appId);
  if (hook) {
    // A repeat must not ask the hook again (it could answer differently this time).
    const original = await findByClientId(db, senderId, body.client_msg_id);
    if (original) return { message: await existingView(db, actor, original), created: false };
    body = await hook({ cid: access.cid, user: toUserRef(senderRow), message: body });
  }

  // Blocklists, on the text as it will be stored: a blocked one is refused (a repeat
  // of a send stored before gets its message), a masked one stored masked, a flagged one queued
  // for review in the message's transaction. No list: no statement.
  const screened = await screenText(deps.contentFilters, actor.appId, body.text);
  if (screened?.block) {
    const original = await findByClientId(db, senderId, body.client_msg_id);
    if (original) return { message: await existingView(db, actor, original), created: false };
    await refuseBlocked(db, actor, screened.block, { channelId: access.channel.id, senderId });
  }
  if (screened?.masked) body = { ...body, text: screened.text };
  const flags = screened?.flags ?? [];

  // A repeat (same user and client_msg_id) is not looked up first: sends are rarely repeated,
  // so the message's unique key finds it, and the repeat returns the message stored first.
  let event: EventOf<'message.new'>;
  try {
    event = await db
      .transaction()
      .execute((tx) => insertMessage(tx, actor, access, senderRow, body, cooldown, flags));
  } catch (error) {
    // Refused by slow mode under the lock: a repeat of a send that went through gets its message.
    const slowMode = error instanceof ChatError && error.body.code === 'slow_mode';
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION && !slowMode) throw error;
    const winner = await findByClientId(db, senderId, body.client_msg_id);
    if (!winner) throw error;
    return { message: await existingView(db, actor, winner), created: false };
  }
  // A shadow-banned sender's message is delivered to its sender alone.
  const visibleTo = senderRow.shadow_banned ? { visibleTo: senderId } : {};
  deps.publish({ appId: actor.appId, channelId: access.channel.id, event, ...visibleTo });
  return { message: event.message, created: true };
}

/**
 * One transaction: take the channel's next seq, store the message and its attachments, bump
 * the channel's last message time or the thread's reply count, log the event. Its cost does not
 * depend on the channel's size: unread counts are derived when read (domain/reads/unread.ts).
 */
async function insertMessage(
  tx: AppDb,
  actor: Actor,
  access: ChannelAccess,
  sender: AppUserRow,
  body: SendMessageBody,
  /** Slow mode's cooldown for this sender (0: none). */
  cooldown = 0,
  /** Blocklists in `flag` mode that matched: the message goes to the review queue. */
  flags: ContentHit[] = [],
): Promise<EventOf<'message.new'>> {
  const channelId = access.channel.id;
  const senderId = sender.id;
  const topLevel = !body.parent_id;
  // A shadow-banned sender's message is stored `shadowed`: it moves neither the
  // channel's last message time nor its thread's reply count, which the others would notice.
  const shadowed = sender.shadow_banned;
  const { seq, now } = await takeSeqAndStamp(tx, channelId, topLevel && !shadowed);
  if (cooldown > 0) await takeSlowModeTurn(tx, access, senderId, cooldown, now);
  const row = await tx
    .insertInto('messages')
    .values({
      app_id: actor.appId,
      channel_id: channelId,
      app_user_id: senderId,
      seq,
      client_msg_id: body.client_msg_id,
      text: body.text ?? '',
      mentioned_user_ids: [...new Set(body.mentioned_user_ids ?? [])],
      parent_id: body.parent_id ?? null,
      quoted_message_id: body.quoted_message_id ?? null,
      custom: JSON.stringify(body.custom ?? {}),
      link_previews_off: body.skip_link_previews ?? false,
      ...(shadowed && { shadowed }),
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const attachments = body.attachments?.length
    ? new Map([[row.id, await insertAttachments(tx, actor.appId, row.id, senderId, body.attachments)]])
    : undefined;
  if (!body.skip_link_previews) await requestLinkPreviews(tx, actor.appId, row.id, row.text);
  await raiseFlags(tx, row.id, flags);
  if (!topLevel && !shadowed) {
    // Thread replies count on their root; they do not move the channel (nor unread counts).
    await tx
      .updateTable('messages')
      .set({ reply_count: sql`reply_count + 1` })
      .where('id', '=', row.parent_id!)
      .execute();
  }
  const viewer = { ...actor, userId: senderId };
  const [message] = await toMessages(tx, [row], () => access.cid, viewer.userId, {
    ...(attachments && { attachments }),
    users: [sender],
  });
  const event = {
    type: 'message.new' as const,
    cid: access.cid,
    seq,
    created_at: now.toISOString(),
    message: message!,
  };
  await recordChannelEvent(tx, actor.appId, channelId, event, shadowed ? senderId : null);
  return event;
}

/**
 * Takes the channel's next seq (locking its row until the transaction ends) and the created_at
 * of the new message, in one statement that also moves the channel's last message time for a
 * top-level message: now, but always after the channel's `truncated_at`. A message sent in the
 * same millisecond as a truncate (or on a node whose clock lags) comes after it in the channel's
 * sequence, so it must not be hidden with what the truncate hid.
 */
async function takeSeqAndStamp(
  tx: AppDb,
  channelId: string,
  topLevel: boolean,
): Promise<{ seq: number; now: Date }> {
  const stamp = sql<Date>`greatest(${new Date()}::timestamptz, truncated_at + interval '1 millisecond')`;
  const row = await tx
    .updateTable('channels')
    .set({ seq: sql`seq + 1`, ...(topLevel && { last_message_at: stamp }) })
    .where('id', '=', channelId)
    .returning(['seq', stamp.as('stamp')])
    .executeTakeFirstOrThrow();
  return { seq: Number(row.seq), now: new Date(row.stamp) };
}

/** The sender's row: the user, or for a server-side call the `user_id` it names. */
async function resolveSender(db: AppDb, actor: Actor, body: SendMessageBody): Promise<AppUserRow> {
  if (!actor.server) {
    if (body.user_id !== undefined && body.user_id !== actor.externalId) {
      throw forbidden('Only server-side calls may send as another user');
    }
    return db.selectFrom('app_users').selectAll().where('id', '=', actor.userId!).executeTakeFirstOrThrow();
  }
  if (!body.user_id) {
    throw new ChatError('validation_failed', 'Server-side sends must give user_id', {
      issues: [{ path: ['user_id'], message: 'Required for server-side calls' }],
    });
  }
  const [user] = await requireUsers(db, [body.user_id], 'user_id');
  return user!;
}

async function findByClientId(db: AppDb, userId: string, clientMsgId: string) {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('app_user_id', '=', userId)
    .where('client_msg_id', '=', clientMsgId)
    .executeTakeFirst();
}

async function existingView(db: AppDb, actor: Actor, row: MessageRow): Promise<Message> {
  const channel = await db
    .selectFrom('channels')
    .select(['type', 'external_id'])
    .where('id', '=', row.channel_id)
    .executeTakeFirstOrThrow();
  const [message] = await toMessages(db, [row], () => `${channel.type}:${channel.external_id}`, actor.userId);
  return message!;
}

async function requireSameChannel(
  db: AppDb,
  access: ChannelAccess,
  actor: Actor,
  messageId: string,
  field: string,
  mustBeTopLevel: boolean,
): Promise<void> {
  // A message the sender may not see (another's shadowed one, a blocked user's) is no message
  // to reply to or quote: quoting it would show it to everyone.
  const row = await db
    .selectFrom('messages')
    .select(['id', 'parent_id', 'is_deleted'])
    .where('channel_id', '=', access.channel.id)
    .where('id', '=', messageId)
    .where((eb) => visibleMessages(eb, actor.userId))
    .executeTakeFirst();
  const problem = !row
    ? 'No such message in this channel'
    : mustBeTopLevel && row.parent_id
      ? 'Replies cannot have replies: use the thread root'
      : row.is_deleted && mustBeTopLevel
        ? 'Cannot reply to a deleted message'
        : null;
  if (problem)
    throw new ChatError('validation_failed', problem, { issues: [{ path: [field], message: problem }] });
}
