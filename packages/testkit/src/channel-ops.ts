import {
  type AckResult,
  type ChannelListResponse,
  type ChannelState,
  type CreateChannelBody,
  type Draft,
  LIMITS,
  type QueryChannelsBody,
  type ReadState,
  type UnreadResponse,
} from '@chat/protocol';
import { appendEvent, channelFor, type KitContext } from './kit-context';
import { KitError } from './kit-error';
import type { ChannelRecord, MemberRecord } from './records';
import { toChannelState, toMember, toMessage, toReadState, unreadCount } from './views';

/** Channel operations, as the reference server does them (mock-server/src/domain/channels, reads). */

/** Events older than this many seqs are not replayed: a resuming watch then gets fresh state. */
const MAX_REPLAY_EVENTS = 1_000;

/** Users named in a request must exist (the server's `requireUsers`). */
function requireUsers(ctx: KitContext, ids: readonly string[], path: string): void {
  const missing = [...new Set(ids)].filter((id) => !ctx.store.users.has(id));
  if (missing.length) throw KitError.invalid([path], `Unknown users: ${missing.join(', ')}`);
}

/** A short, stable id for a distinct channel's member list (the server's scheme). */
function hashKey(key: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x811c9dc5) >>> 0;
  }
  return h1.toString(36) + h2.toString(36);
}

function newMember(userId: string, role: MemberRecord['role'], at: string, readSeq: number): MemberRecord {
  return {
    user_id: userId,
    role,
    muted: false,
    created_at: at,
    updated_at: at,
    read_seq: readSeq,
    last_read_message_id: null,
    last_read_at: null,
  };
}

/**
 * Creates a channel, or returns the existing one (same id, or the distinct channel of the same
 * members). The creator is its admin; connected members hear `notification.added_to_channel`.
 */
export function createChannel(
  ctx: KitContext,
  actorId: string,
  body: CreateChannelBody,
): { state: ChannelState; created: boolean } {
  if (body.created_by_id !== undefined && body.created_by_id !== actorId)
    throw new KitError('forbidden', 'Only server-side calls may create a channel for another user', {
      issues: [{ path: ['created_by_id'], message: 'Only server-side calls may set another creator' }],
    });
  const memberIds = [...new Set([actorId, ...(body.members ?? [])])];
  requireUsers(ctx, memberIds, 'members');
  const id = body.id ?? `!members-${hashKey([...memberIds].sort().join(','))}`;
  const cid = `${body.type}:${id}`;
  if (ctx.store.channels.has(cid)) {
    const { channel } = channelFor(ctx, actorId, cid, 'read');
    return { state: toChannelState(ctx.store, channel, actorId), created: false };
  }
  const at = ctx.now();
  const channel: ChannelRecord = {
    cid,
    type: body.type,
    id,
    name: body.name ?? null,
    image: body.image ?? null,
    custom: body.custom ?? {},
    created_by: actorId,
    frozen: false,
    seq: 0,
    last_message_at: null,
    created_at: at,
    updated_at: at,
    members: new Map(memberIds.map((u) => [u, newMember(u, u === actorId ? 'admin' : 'member', at, 0)])),
    log: [],
    drafts: new Map(),
  };
  ctx.store.channels.set(cid, channel);
  appendEvent(ctx, channel, (seq, created_at) => ({
    type: 'channel.created' as const,
    cid,
    seq,
    created_at,
    channel: { ...toChannelState(ctx.store, channel, actorId, 0).channel, seq },
  }));
  // Members start having read everything so far (the server's `read_seq` at creation).
  for (const m of channel.members.values()) m.read_seq = channel.seq;
  const state = toChannelState(ctx.store, channel, actorId);
  for (const member of state.members)
    ctx.sink.toUsers([member.user_id], {
      type: 'notification.added_to_channel',
      cid,
      seq: channel.seq,
      created_at: at,
      channel: state.channel,
      member,
      members: state.members.slice(0, LIMITS.MEMBERS_PREVIEW),
    });
  return { state, created: true };
}

/** The sort key of the channel list: the last message's time, or the creation time. */
const activity = (c: ChannelRecord) => c.last_message_at ?? c.created_at;

function encodeCursor(key: string, cid: string): string {
  return btoa(JSON.stringify([key, cid]));
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(atob(cursor)) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string'))
      return value as [string, string];
  } catch {
    // Answered below.
  }
  throw KitError.invalid(['cursor'], 'Invalid cursor');
}

/** The user's channels (or with `filter.joinable` the livestreams they could join), filtered, sorted, paged. */
export function queryChannels(
  ctx: KitContext,
  actorId: string,
  body: QueryChannelsBody,
): ChannelListResponse {
  const f = body.filter ?? {};
  const sortField = body.sort?.created_at !== undefined ? 'created_at' : 'last_message_at';
  const direction = body.sort?.[sortField] ?? -1;
  const keyOf = sortField === 'created_at' ? (c: ChannelRecord) => c.created_at : activity;
  const types = f.type === undefined ? null : Array.isArray(f.type) ? f.type : [f.type];
  let list = [...ctx.store.channels.values()].filter((c) => {
    const mine = c.members.has(actorId);
    if (f.joinable ? mine || c.type !== 'livestream' : !mine) return false;
    if (types && !types.includes(c.type)) return false;
    if (f.frozen !== undefined && c.frozen !== f.frozen) return false;
    if (f.members && !f.members.every((u) => c.members.has(u))) return false;
    const last = c.last_message_at;
    if (f.last_message_at?.gt && !(last && Date.parse(last) > Date.parse(f.last_message_at.gt))) return false;
    if (f.last_message_at?.lt && !(last && Date.parse(last) < Date.parse(f.last_message_at.lt))) return false;
    return true;
  });
  const compare = (a: [string, string], b: [string, string]) =>
    (Date.parse(a[0]) - Date.parse(b[0]) || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)) * direction;
  list.sort((a, b) => compare([keyOf(a), a.cid], [keyOf(b), b.cid]));
  if (body.cursor) {
    const after = decodeCursor(body.cursor);
    list = list.filter((c) => compare([keyOf(c), c.cid], after) > 0);
  }
  const limit = body.limit ?? LIMITS.PAGE_SIZE_DEFAULT;
  const page = list.slice(0, limit);
  const last = page.at(-1);
  return {
    channels: page.map((c) =>
      toChannelState(ctx.store, c, actorId, body.message_limit ?? LIMITS.PAGE_SIZE_DEFAULT),
    ),
    next_cursor: list.length > limit && last ? encodeCursor(keyOf(last), last.cid) : null,
  };
}

export function getChannel(ctx: KitContext, actorId: string, cid: string): ChannelState {
  return toChannelState(ctx.store, channelFor(ctx, actorId, cid, 'read').channel, actorId);
}

export function listMembers(ctx: KitContext, actorId: string, cid: string) {
  const { channel } = channelFor(ctx, actorId, cid, 'read');
  return { members: [...channel.members.values()].map((m) => toMember(ctx.store, channel, m)) };
}

/**
 * What a `channel.watch` answers (the socket registers the watch itself). With `since`, the
 * events after it as they read now (messages as they are today, no own reactions) and state
 * without members, messages or reads; a gap that cannot be replayed gets fresh state instead.
 */
export function watchResult(
  ctx: KitContext,
  actorId: string,
  cid: string,
  options: { since?: number; messageLimit?: number; watcherCount: number },
): AckResult<'channel.watch'> {
  const { channel } = channelFor(ctx, actorId, cid, 'read');
  const { since } = options;
  const replayable = since !== undefined && since <= channel.seq && channel.seq - since <= MAX_REPLAY_EVENTS;
  if (replayable) {
    const events = channel.log
      .filter((e) => e.seq > since)
      .map((e) => {
        if (!('message' in e)) return e;
        const now = ctx.store.message(e.message.id);
        return now ? { ...e, message: toMessage(ctx.store, now, null) } : e;
      });
    return {
      recovered: true,
      events,
      state: toChannelState(ctx.store, channel, actorId, 0, { withMembers: false }),
      watcher_count: options.watcherCount,
    };
  }
  return {
    recovered: false,
    events: [],
    state: toChannelState(ctx.store, channel, actorId, options.messageLimit ?? LIMITS.PAGE_SIZE_DEFAULT),
    watcher_count: options.watcherCount,
  };
}

/** Marks the channel read up to a top-level message (default: the newest); `message.read` follows. */
export function markRead(ctx: KitContext, actorId: string, cid: string, messageId?: string): ReadState {
  const { channel, member } = channelFor(ctx, actorId, cid, 'write');
  const topLevel = ctx.store.messagesOf(cid).filter((m) => m.parent_id === null);
  const target = messageId ? topLevel.find((m) => m.id === messageId) : topLevel.at(-1);
  if (messageId && !target) throw KitError.invalid(['message_id'], 'No such message in this channel');
  const me = member!;
  me.read_seq = target ? target.seq : channel.seq;
  me.last_read_message_id = target?.id ?? null;
  me.last_read_at = ctx.now();
  appendEvent(ctx, channel, (seq, created_at) => ({
    type: 'message.read' as const,
    cid,
    seq,
    created_at,
    user: toMember(ctx.store, channel, me).user,
    last_read_message_id: target?.id ?? null,
  }));
  return toReadState(ctx.store, channel, me);
}

export function getReadState(ctx: KitContext, actorId: string, cid: string): { read: ReadState[] } {
  const { channel } = channelFor(ctx, actorId, cid, 'read');
  return { read: [...channel.members.values()].map((m) => toReadState(ctx.store, channel, m)) };
}

/** The user's channels with something unread, newest activity first, and the total (muted ones left out). */
export function getUnread(ctx: KitContext, actorId: string): UnreadResponse {
  const rows = [...ctx.store.channels.values()]
    .filter((c) => c.members.has(actorId))
    .sort((a, b) => Date.parse(activity(b)) - Date.parse(activity(a)))
    .map((c) => {
      const member = c.members.get(actorId)!;
      return { cid: c.cid, unread_count: unreadCount(ctx.store, c, member), muted: member.muted };
    })
    .filter((r) => r.unread_count > 0);
  return {
    total_unread_count: rows.reduce((sum, r) => (r.muted ? sum : sum + r.unread_count), 0),
    channels: rows,
  };
}

/** Where a draft is kept: per user, and per thread (`parentId`) or the channel itself. */
export const draftKey = (userId: string, parentId?: string | null) => `${userId}\u0000${parentId ?? ''}`;

export function saveDraft(
  ctx: KitContext,
  actorId: string,
  cid: string,
  text: string,
  parentId?: string,
): { draft: Draft | null } {
  const { channel } = channelFor(ctx, actorId, cid, 'read');
  if (parentId && ctx.store.message(parentId)?.cid !== cid)
    throw KitError.invalid(['parent_id'], 'No such message in this channel');
  const draft: Draft = { cid, parent_id: parentId ?? null, text, updated_at: ctx.now() };
  channel.drafts.set(draftKey(actorId, parentId), draft);
  return { draft };
}

export function getDraft(
  ctx: KitContext,
  actorId: string,
  cid: string,
  parentId?: string,
): { draft: Draft | null } {
  const { channel } = channelFor(ctx, actorId, cid, 'read');
  return { draft: channel.drafts.get(draftKey(actorId, parentId)) ?? null };
}

export function deleteDraft(
  ctx: KitContext,
  actorId: string,
  cid: string,
  parentId?: string,
): { draft: Draft | null } {
  channelFor(ctx, actorId, cid, 'read').channel.drafts.delete(draftKey(actorId, parentId));
  return { draft: null };
}
