import type { Channel, ChatEvent, Message, ChannelState as ServerChannelState } from '@chat/protocol';
import { channelPeople, type Person } from './channel-label';
import { type TransientLists, writableList } from './transient-lists';

/** One row of the channel list. */
export interface ChannelListEntry {
  readonly cid: string;
  readonly channel: Channel;
  readonly lastMessage: Message | null;
  readonly unreadCount: number;
  /** The user muted it: its own count shows, but it stays out of the unread total. */
  readonly muted?: boolean;
  /** Its first other members, to name it by when it has no name (`channelLabel`). */
  readonly people?: readonly Person[];
}

/** The client-wide state the list view and the unread badge show; both change with one event. */
export interface ChannelListState {
  readonly entries: readonly ChannelListEntry[];
  readonly unreadTotal: number;
}

const time = (entry: ChannelListEntry) => entry.channel.last_message_at ?? entry.channel.created_at;

/** Newest activity first. ISO timestamps of the same format compare as strings. */
function sortEntries(entries: ChannelListEntry[]): readonly ChannelListEntry[] {
  return entries.sort((a, b) => (time(a) < time(b) ? 1 : time(a) > time(b) ? -1 : 0));
}

export function entryFromState(state: ServerChannelState): ChannelListEntry {
  const top = state.messages.filter((m) => m.parent_id === null);
  const lastMessage = top.reduce<Message | null>((last, m) => (!last || m.seq > last.seq ? m : last), null);
  return {
    cid: state.channel.cid,
    channel: state.channel,
    lastMessage,
    unreadCount: state.membership?.unread_count ?? 0,
    muted: state.membership?.muted ?? false,
    people: channelPeople(state.members, state.membership?.user_id),
  };
}

/** Replaces the list (`reset`) or merges entries into it by cid, keeping it sorted. */
export function mergeEntries(
  list: readonly ChannelListEntry[],
  entries: readonly ChannelListEntry[],
  reset = false,
): readonly ChannelListEntry[] {
  const byCid = new Map((reset ? [] : list).map((e) => [e.cid, e]));
  for (const entry of entries) byCid.set(entry.cid, entry);
  return sortEntries([...byCid.values()]);
}

/**
 * `entry` in place of the one at `index` (or appended, at `list.length`), moved to where a stable
 * sort of the whole list would put it. The list is always sorted, so only `entry` can be out of
 * place: it moves past strictly older neighbours above it or strictly newer ones below it, and
 * stays on its side of equal ones, as a stable sort keeps them. This is one move instead of a
 * sort per event, and it gives the same order as re-sorting after every event; a single sort
 * at the end of a batch would not, because it would order ties by where entries were before the
 * batch rather than after each event.
 */
function place(
  list: readonly ChannelListEntry[],
  index: number,
  entry: ChannelListEntry,
  batch: TransientLists | undefined,
): ChannelListEntry[] {
  const next = writableList(list, batch);
  const at = time(entry);
  let i = index;
  while (i > 0 && time(next[i - 1] as ChannelListEntry) < at) {
    next[i] = next[i - 1] as ChannelListEntry;
    i--;
  }
  if (i === index) {
    while (i < list.length - 1 && time(next[i + 1] as ChannelListEntry) > at) {
      next[i] = next[i + 1] as ChannelListEntry;
      i++;
    }
  }
  next[i] = entry;
  return next;
}

/** Adds an entry, or replaces the one of its cid, in its place by time. */
export function upsertEntry(
  list: readonly ChannelListEntry[],
  entry: ChannelListEntry,
  batch?: TransientLists,
): readonly ChannelListEntry[] {
  const index = list.findIndex((e) => e.cid === entry.cid);
  return place(list, index < 0 ? list.length : index, entry, batch);
}

/**
 * A new message in a channel: moves it to the top. Unknown channels are left out (a query or an
 * `added_to_channel` brings them in). `unreadCount` is set when the server says it, else kept.
 */
export function onNewMessage(
  list: readonly ChannelListEntry[],
  message: Message,
  unreadCount?: number,
  increment = false,
  batch?: TransientLists,
): readonly ChannelListEntry[] {
  if (message.parent_id !== null) return list;
  const index = list.findIndex((e) => e.cid === message.cid);
  const entry = list[index];
  if (!entry) return list;
  const unread = unreadCount ?? entry.unreadCount + (increment ? 1 : 0);
  const channel = { ...entry.channel, last_message_at: message.created_at };
  return place(list, index, { ...entry, channel, lastMessage: message, unreadCount: unread }, batch);
}

/** Sets one channel's unread count (e.g. after `markRead`). */
export function setEntryUnread(
  list: readonly ChannelListEntry[],
  cid: string,
  unreadCount: number,
  batch?: TransientLists,
): readonly ChannelListEntry[] {
  const index = list.findIndex((e) => e.cid === cid);
  const entry = list[index];
  if (!entry || entry.unreadCount === unreadCount) return list;
  const next = writableList(list, batch);
  next[index] = { ...entry, unreadCount };
  return next;
}

/** Removes a channel (deleted, or the user was removed from it). */
export function removeEntry(
  list: readonly ChannelListEntry[],
  cid: string,
  batch?: TransientLists,
): readonly ChannelListEntry[] {
  const index = list.findIndex((e) => e.cid === cid);
  if (index < 0) return list;
  const next = writableList(list, batch);
  next.splice(index, 1);
  return next;
}

/**
 * One channel's unread count, and the total moved by the same difference: the total counts
 * channels the list does not show, so it is adjusted, not summed. A channel not in the list
 * leaves the total as it is, since its old count is unknown.
 */
export function setChannelUnread(
  state: ChannelListState,
  cid: string,
  unreadCount: number,
  batch?: TransientLists,
): ChannelListState {
  const entry = state.entries.find((e) => e.cid === cid);
  if (!entry || entry.unreadCount === unreadCount) return state;
  const counted = entry.muted ? 0 : unreadCount - entry.unreadCount;
  return {
    entries: setEntryUnread(state.entries, cid, unreadCount, batch),
    unreadTotal: Math.max(0, state.unreadTotal + counted),
  };
}

/** The user muted or unmuted a channel: its count leaves or rejoins the total. */
export function setChannelMuted(state: ChannelListState, cid: string, muted: boolean): ChannelListState {
  const index = state.entries.findIndex((e) => e.cid === cid);
  const entry = state.entries[index];
  if (!entry || !!entry.muted === muted) return state;
  const entries = [...state.entries];
  entries[index] = { ...entry, muted };
  const moved = muted ? -entry.unreadCount : entry.unreadCount;
  return { entries, unreadTotal: Math.max(0, state.unreadTotal + moved) };
}

const changed = (
  state: ChannelListState,
  entries: readonly ChannelListEntry[],
  unreadTotal: number,
): ChannelListState =>
  entries === state.entries && unreadTotal === state.unreadTotal ? state : { entries, unreadTotal };

/**
 * Applies a server event to the channel list and the unread total. Pure without `batch`; with
 * one, the list is copied once per batch and then changed in place (see `TransientLists`).
 * Returns `state` itself when the event changes neither.
 */
export function applyChannelListEvent(
  state: ChannelListState,
  event: ChatEvent,
  userId: string | undefined,
  batch?: TransientLists,
): ChannelListState {
  const { entries, unreadTotal } = state;
  switch (event.type) {
    case 'connection.ok':
      return changed(state, entries, event.unread.total_unread_count);
    case 'notification.message_new':
      return changed(
        state,
        onNewMessage(entries, event.message, event.unread_count, false, batch),
        event.total_unread_count,
      );
    case 'notification.added_to_channel': {
      const added = {
        cid: event.cid,
        channel: event.channel,
        lastMessage: null,
        muted: event.member.muted,
        people: channelPeople(event.members ?? [], event.member.user_id),
      };
      return changed(
        state,
        upsertEntry(entries, { ...added, unreadCount: event.member.unread_count }, batch),
        unreadTotal,
      );
    }
    case 'message.new': {
      // Thread replies and own messages are not unread; a muted channel's are not in the total.
      const fromOther = event.message.user_id !== userId && event.message.parent_id === null;
      const next = onNewMessage(entries, event.message, undefined, fromOther, batch);
      const counts = fromOther && !entries.find((e) => e.cid === event.cid)?.muted;
      return changed(state, next, unreadTotal + (counts ? 1 : 0));
    }
    case 'member.updated':
      return event.member.user_id === userId ? setChannelMuted(state, event.cid, event.member.muted) : state;
    case 'message.read':
      return event.user.id === userId ? setChannelUnread(state, event.cid, 0, batch) : state;
    case 'member.removed':
      if (event.user_id !== userId) return state;
      return changed(state, removeEntry(entries, event.cid, batch), unreadTotal);
    case 'channel.deleted':
      return changed(state, removeEntry(entries, event.cid, batch), unreadTotal);
    default:
      return state;
  }
}
