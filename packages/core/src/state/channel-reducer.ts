import type { ChannelEvent, Message, ChannelState as ServerChannelState } from '@chat/protocol';
import { indexToReplace, mergeMessages, patchMessage, upsertMessage } from './message-list';
import { TransientLists } from './transient-lists';
import type { ChannelSnapshot, LocalMessage } from './types';

const EMPTY: readonly LocalMessage[] = [];

/** The state of a channel handle before anything is loaded. */
export function emptyChannelState(cid: string): ChannelSnapshot {
  return {
    cid,
    channel: null,
    messages: EMPTY,
    threads: {},
    members: {},
    read: {},
    typing: {},
    unreadCount: 0,
    membership: null,
    draft: null,
    lastSeq: 0,
    hasOlder: false,
    hasNewer: false,
    loading: false,
    error: null,
    watcherCount: 0,
  };
}

export const sent = (message: Message): LocalMessage => ({ ...message, status: 'sent' });

const byKey = <T>(items: readonly T[], key: (item: T) => string): Record<string, T> =>
  Object.fromEntries(items.map((item) => [key(item), item]));

/**
 * Replaces the state with a fresh load from the server (`watch`, `getChannel`, a query). Own
 * messages not yet sent are kept, so a reload never loses what the user typed.
 */
export function loadChannelState(
  previous: ChannelSnapshot,
  server: ServerChannelState,
  userId: string | undefined,
  messageLimit?: number,
): ChannelSnapshot {
  const top = server.messages.filter((m) => m.parent_id === null).map(sent);
  const unsent = previous.messages.filter((m) => m.status !== 'sent');
  const own = server.read.find((r) => r.user_id === userId);
  return {
    ...previous,
    channel: server.channel,
    messages: mergeMessages(mergeMessages(EMPTY, top), unsent),
    members: byKey(server.members, (m) => m.user_id),
    read: byKey(server.read, (r) => r.user_id),
    unreadCount: server.membership?.unread_count ?? own?.unread_count ?? 0,
    membership: server.membership,
    draft: server.draft,
    lastSeq: server.channel.seq,
    hasOlder: messageLimit === undefined ? top.length > 0 : top.length >= messageLimit,
    hasNewer: false,
  };
}

/** What applying one event did: the next state, and whether a gap in `seq` was detected. */
export interface ApplyResult {
  state: ChannelSnapshot;
  /** The event skipped seqs: it was not applied; resync (watch with `since`) instead of guessing. */
  gap: boolean;
}

/** Typing events carry the channel's current seq without taking one, so they skip the seq checks. */
const isTyping = (event: ChannelEvent) => event.type === 'typing.start' || event.type === 'typing.stop';

/**
 * Applies one channel event by `seq`: an event at or below `lastSeq` is a duplicate and changes
 * nothing; one beyond `lastSeq + 1` reports a gap and changes nothing.
 */
export function applyChannelEvent(
  state: ChannelSnapshot,
  event: ChannelEvent,
  userId: string | undefined,
): ApplyResult {
  return applyChannelEventInBatch(state, event, userId, undefined);
}

/**
 * Applies events in order: the same as `applyChannelEvent` on each in turn, but each message list
 * is copied once for the whole batch instead of once per event. `gap` says whether some event
 * skipped seqs (that event was not applied: resync). `state` itself is never changed.
 *
 * @example
 * const { state: next, gap } = applyChannelEvents(state, missedEvents, userId);
 */
export function applyChannelEvents(
  state: ChannelSnapshot,
  events: readonly ChannelEvent[],
  userId: string | undefined,
): ApplyResult {
  const batch = new TransientLists();
  let next = state;
  let gap = false;
  for (const event of events) {
    const result = applyChannelEventInBatch(next, event, userId, batch);
    next = result.state;
    gap ||= result.gap;
  }
  return { state: next, gap };
}

/**
 * `applyChannelEvent` within a batch: lists the batch copied earlier are changed in place. The
 * caller makes sure no one outside the batch holds `state` (see `TransientLists`).
 */
export function applyChannelEventInBatch(
  state: ChannelSnapshot,
  event: ChannelEvent,
  userId: string | undefined,
  batch: TransientLists | undefined,
): ApplyResult {
  if (isTyping(event)) return { state: applyTyping(state, event, userId), gap: false };
  // Like typing, a watcher count takes no seq.
  if (event.type === 'channel.watchers') {
    const watcherCount = event.watcher_count;
    return { state: state.watcherCount === watcherCount ? state : { ...state, watcherCount }, gap: false };
  }
  if (event.seq <= state.lastSeq) return { state, gap: false };
  if (event.seq > state.lastSeq + 1) return { state, gap: true };
  return { state: { ...reduceEvent(state, event, userId, batch), lastSeq: event.seq }, gap: false };
}

function applyTyping(
  state: ChannelSnapshot,
  event: ChannelEvent,
  userId: string | undefined,
): ChannelSnapshot {
  if (!('user' in event) || event.user.id === userId) return state;
  const { [event.user.id]: current, ...others } = state.typing;
  if (event.type === 'typing.stop') return current ? { ...state, typing: others } : state;
  if (event.type !== 'typing.start') return state;
  if (current && current.parentId === event.parent_id && current.user === event.user) return state;
  return {
    ...state,
    typing: { ...others, [event.user.id]: { user: event.user, parentId: event.parent_id } },
  };
}

/** Removes a typist (a local expiry). */
export function clearTyping(state: ChannelSnapshot, typistId: string): ChannelSnapshot {
  if (!state.typing[typistId]) return state;
  const { [typistId]: _gone, ...others } = state.typing;
  return { ...state, typing: others };
}

/**
 * Puts a message from the server in place (top level, or its thread). `own_reactions` is the
 * viewer's own: events fan out one message to everyone, so the viewer's current value is kept
 * unless `ownReactions` says otherwise.
 */
export function putMessage(
  state: ChannelSnapshot,
  message: Message,
  ownReactions?: (current: readonly string[]) => string[],
  batch?: TransientLists,
): ChannelSnapshot {
  const listOf = (m: Message) =>
    m.parent_id === null ? state.messages : (state.threads[m.parent_id] ?? EMPTY);
  const list = listOf(message);
  const existing = list[indexToReplace(list, { ...message, status: 'sent' })];
  // A message outside the loaded window (older than its first with more before it, or newer than
  // its last while it is a window of the past) would make a hole in it: it shows when paged to.
  if (!existing && message.parent_id === null && !inWindow(state, message)) return state;
  const own = ownReactions
    ? ownReactions(existing?.own_reactions ?? [])
    : (existing?.own_reactions ?? message.own_reactions);
  const next = upsertMessage(list, { ...message, own_reactions: own, status: 'sent' }, batch);
  if (message.parent_id === null) return { ...state, messages: next };
  const threads = { ...state.threads, [message.parent_id]: next };
  // A reply stored for the first time counts on its parent: the server sends no event for the
  // parent, and each reply arrives here once as sent (later copies replace it).
  if (existing?.status === 'sent') return { ...state, threads };
  return { ...state, threads, messages: countReply(state.messages, message.parent_id, batch) };
}

/** Whether a top-level message falls between the first and the last message loaded. */
function inWindow(state: ChannelSnapshot, message: Message): boolean {
  // Called for every event: the ends are found from the ends (unsent messages sit at the end).
  const { messages } = state;
  if (state.hasOlder) {
    const first = messages.find((m) => m.status === 'sent');
    if (first && message.seq < first.seq) return false;
  }
  if (state.hasNewer) {
    let i = messages.length - 1;
    while (i >= 0 && messages[i]!.status !== 'sent') i--;
    const last = messages[i];
    if (!last || message.seq > last.seq) return false;
  }
  return true;
}

function countReply(
  messages: readonly LocalMessage[],
  parentId: string,
  batch: TransientLists | undefined,
): readonly LocalMessage[] {
  const counted = (parent: LocalMessage) => ({ ...parent, reply_count: parent.reply_count + 1 });
  return patchMessage(messages, parentId, counted, batch);
}

function reduceEvent(
  state: ChannelSnapshot,
  event: ChannelEvent,
  userId: string | undefined,
  batch: TransientLists | undefined,
): ChannelSnapshot {
  switch (event.type) {
    case 'message.new': {
      const fromOther = event.message.user_id !== userId;
      const next = putMessage(
        state,
        event.message,
        fromOther ? undefined : () => event.message.own_reactions,
        batch,
      );
      const bump = fromOther && event.message.parent_id === null ? 1 : 0;
      const channel = state.channel && { ...state.channel, last_message_at: event.message.created_at };
      return { ...next, channel, unreadCount: state.unreadCount + bump };
    }
    case 'message.updated':
    case 'message.deleted':
      return putMessage(state, event.message, undefined, batch);
    case 'reaction.new':
    case 'reaction.deleted': {
      if (event.reaction.user_id !== userId) return putMessage(state, event.message, undefined, batch);
      const type = event.reaction.type;
      const own = (current: readonly string[]) =>
        event.type === 'reaction.new'
          ? [...current.filter((t) => t !== type), type]
          : current.filter((t) => t !== type);
      return putMessage(state, event.message, own, batch);
    }
    case 'message.read': {
      const read = state.read[event.user.id];
      const mine = event.user.id === userId;
      const next = {
        user_id: event.user.id,
        last_read_message_id: event.last_read_message_id,
        last_read_at: event.created_at,
        unread_count: mine ? 0 : (read?.unread_count ?? 0),
      };
      return {
        ...state,
        read: { ...state.read, [event.user.id]: next },
        unreadCount: mine ? 0 : state.unreadCount,
      };
    }
    case 'channel.created':
    case 'channel.updated':
    case 'channel.deleted':
      return { ...state, channel: event.channel };
    case 'channel.truncated':
      return {
        ...state,
        channel: event.channel,
        messages: state.messages.filter((m) => m.status !== 'sent'),
        threads: {},
      };
    case 'member.added':
    case 'member.updated': {
      const membership = event.member.user_id === userId ? event.member : state.membership;
      return { ...state, members: { ...state.members, [event.member.user_id]: event.member }, membership };
    }
    case 'member.removed': {
      const { [event.user_id]: _gone, ...members } = state.members;
      return { ...state, members, membership: event.user_id === userId ? null : state.membership };
    }
    default:
      // notification.* are for channels not watched; the channel list handles them.
      return state;
  }
}

/** Changes one message wherever it is (top level or a thread); `undefined` from `change` removes it. */
export function patchAnyMessage(
  state: ChannelSnapshot,
  id: string,
  change: (message: LocalMessage) => LocalMessage | undefined,
): ChannelSnapshot {
  const messages = patchMessage(state.messages, id, change);
  if (messages !== state.messages) return { ...state, messages };
  for (const [parent, list] of Object.entries(state.threads)) {
    const next = patchMessage(list, id, change);
    if (next !== list) return { ...state, threads: { ...state.threads, [parent]: next } };
  }
  return state;
}

/** Adds an optimistic message (status `sending`) or puts it back to `sending` for a retry. */
export function putLocalMessage(state: ChannelSnapshot, message: LocalMessage): ChannelSnapshot {
  if (message.parent_id === null) return { ...state, messages: upsertMessage(state.messages, message) };
  const thread = state.threads[message.parent_id] ?? EMPTY;
  return { ...state, threads: { ...state.threads, [message.parent_id]: upsertMessage(thread, message) } };
}

/** Merges a page of older messages at the top of the list. */
export function addOlderMessages(
  state: ChannelSnapshot,
  page: readonly Message[],
  hasMore: boolean,
): ChannelSnapshot {
  return { ...state, messages: mergeMessages(state.messages, page.map(sent)), hasOlder: hasMore };
}

/**
 * Shows a window of the past (a jump to a message): the page replaces the list, own messages not
 * yet sent stay at its end, and `hasNewer` holds new messages back until the list reaches the
 * newest again.
 */
export function showWindow(
  state: ChannelSnapshot,
  page: readonly Message[],
  more: { older: boolean; newer: boolean },
): ChannelSnapshot {
  const unsent = state.messages.filter((m) => m.status !== 'sent');
  const messages = mergeMessages(mergeMessages(EMPTY, page.map(sent)), unsent);
  return { ...state, messages, hasOlder: more.older, hasNewer: more.newer };
}

/** Merges a page of newer messages at the end of a window of the past. */
export function addNewerMessages(
  state: ChannelSnapshot,
  page: readonly Message[],
  hasMore: boolean,
): ChannelSnapshot {
  return { ...state, messages: mergeMessages(state.messages, page.map(sent)), hasNewer: hasMore };
}

/** Replaces a thread's replies with a page from the server (unsent own replies kept). */
export function setThread(
  state: ChannelSnapshot,
  parentId: string,
  replies: readonly Message[],
): ChannelSnapshot {
  const unsent = (state.threads[parentId] ?? EMPTY).filter((m) => m.status !== 'sent');
  const next = mergeMessages(mergeMessages(EMPTY, replies.map(sent)), unsent);
  return { ...state, threads: { ...state.threads, [parentId]: next } };
}
