import {
  type Channel,
  type ChannelState,
  LIMITS,
  type Member,
  type Message,
  type ReadState,
  type User,
  type UserRef,
} from '@chat/protocol';
import type { ChannelRecord, MemberRecord, MessageRecord, UserRecord } from './records';

/**
 * Records → wire entities, shaped as the reference server shapes them
 * (mock-server/src/domain/views.ts). `online` is whether the user has an open socket now.
 */
export interface ViewContext {
  user(id: string): UserRecord | undefined;
  isOnline(id: string): boolean;
  message(id: string): MessageRecord | undefined;
  messagesOf(cid: string): readonly MessageRecord[];
}

const GONE_USER: UserRef = {
  id: 'deleted-user',
  name: null,
  image: null,
  online: false,
  last_active_at: null,
};

export function toUser(ctx: ViewContext, u: UserRecord): User {
  return { ...u, online: ctx.isOnline(u.id) };
}

export function toUserRef(ctx: ViewContext, id: string): UserRef {
  const u = ctx.user(id);
  if (!u) return GONE_USER;
  return {
    id: u.id,
    name: u.name,
    image: u.image,
    online: ctx.isOnline(u.id),
    last_active_at: u.last_active_at,
  };
}

export function toChannel(ch: ChannelRecord): Channel {
  return {
    cid: ch.cid,
    type: ch.type,
    id: ch.id,
    name: ch.name,
    image: ch.image,
    custom: ch.custom,
    created_by: ch.created_by,
    member_count: ch.members.size,
    frozen: ch.frozen,
    seq: ch.seq,
    last_message_at: ch.last_message_at,
    created_at: ch.created_at,
    updated_at: ch.updated_at,
    deleted_at: null,
    truncated_at: null,
    slow_mode_s: 0,
  };
}

/** Top-level, undeleted messages from others after the member's read point. */
export function unreadCount(ctx: ViewContext, ch: ChannelRecord, m: MemberRecord): number {
  let count = 0;
  for (const msg of ctx.messagesOf(ch.cid)) {
    if (
      msg.seq > m.read_seq &&
      msg.parent_id === null &&
      msg.deleted_at === null &&
      msg.user_id !== m.user_id
    )
      count++;
  }
  return count;
}

export function toMember(ctx: ViewContext, ch: ChannelRecord, m: MemberRecord): Member {
  return {
    cid: ch.cid,
    user_id: m.user_id,
    user: toUserRef(ctx, m.user_id),
    role: m.role,
    muted: m.muted,
    banned: false,
    ban_expires_at: null,
    unread_count: unreadCount(ctx, ch, m),
    created_at: m.created_at,
    updated_at: m.updated_at,
  };
}

export function toReadState(ctx: ViewContext, ch: ChannelRecord, m: MemberRecord): ReadState {
  return {
    user_id: m.user_id,
    last_read_message_id: m.last_read_message_id,
    last_read_at: m.last_read_at,
    unread_count: unreadCount(ctx, ch, m),
  };
}

/** The message without its quote; `viewerId` null for what everyone gets (events carry no own reactions). */
function messageFields(
  ctx: ViewContext,
  m: MessageRecord,
  viewerId: string | null,
): Omit<Message, 'quoted_message'> {
  const deleted = m.deleted_at !== null;
  const counts: Record<string, number> = {};
  if (!deleted) for (const r of m.reactions) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return {
    id: m.id,
    cid: m.cid,
    seq: m.seq,
    client_msg_id: m.client_msg_id,
    type: deleted ? 'deleted' : 'regular',
    text: deleted ? '' : m.text,
    user_id: m.user_id,
    user: toUserRef(ctx, m.user_id),
    attachments: deleted ? [] : m.attachments,
    link_previews: [],
    mentioned_user_ids: deleted ? [] : m.mentioned_user_ids,
    parent_id: m.parent_id,
    reply_count: m.reply_count,
    quoted_message_id: m.quoted_message_id,
    reaction_counts: counts,
    own_reactions:
      deleted || !viewerId ? [] : m.reactions.filter((r) => r.user_id === viewerId).map((r) => r.type),
    pinned: false,
    pinned_at: null,
    pinned_by: null,
    custom: deleted ? {} : m.custom,
    created_at: m.created_at,
    updated_at: m.updated_at,
    edited_at: m.edited_at,
    deleted_at: m.deleted_at,
    system: null,
    ...(deleted && { removed_by_moderator: false }),
  };
}

export function toMessage(ctx: ViewContext, m: MessageRecord, viewerId: string | null): Message {
  const quoted = m.quoted_message_id ? ctx.message(m.quoted_message_id) : undefined;
  return {
    ...messageFields(ctx, m, viewerId),
    quoted_message: quoted ? messageFields(ctx, quoted, viewerId) : null,
  };
}

/**
 * What a client needs to show a channel (a fresh watch, a query, a get): its newest top-level
 * messages, members and read states in join order, the viewer's membership and draft.
 */
export function toChannelState(
  ctx: ViewContext,
  ch: ChannelRecord,
  viewerId: string,
  messageLimit: number = LIMITS.PAGE_SIZE_DEFAULT,
  options: { withMembers?: boolean } = {},
): ChannelState {
  const withMembers = options.withMembers !== false;
  const topLevel = ctx.messagesOf(ch.cid).filter((m) => m.parent_id === null);
  const messages = messageLimit > 0 ? topLevel.slice(-messageLimit) : [];
  const members = withMembers ? [...ch.members.values()].slice(0, LIMITS.PAGE_SIZE_MAX) : [];
  const mine = ch.members.get(viewerId);
  return {
    channel: toChannel(ch),
    members: members.map((m) => toMember(ctx, ch, m)),
    messages: messages.map((m) => toMessage(ctx, m, viewerId)),
    read: members.map((m) => toReadState(ctx, ch, m)),
    membership: mine ? toMember(ctx, ch, mine) : null,
    draft: ch.drafts.get(`${viewerId}\u0000`) ?? null,
  };
}
