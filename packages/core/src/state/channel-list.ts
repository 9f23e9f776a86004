import type { Channel, Message, ChannelState as ServerChannelState } from '@chat/protocol';

/** One row of the channel list. */
export interface ChannelListEntry {
  readonly cid: string;
  readonly channel: Channel;
  readonly lastMessage: Message | null;
  readonly unreadCount: number;
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
 * A new message in a channel: moves it to the top. Unknown channels are left out (a query or an
 * `added_to_channel` brings them in). `unreadCount` is set when the server says it, else kept.
 */
export function onNewMessage(
  list: readonly ChannelListEntry[],
  message: Message,
  unreadCount?: number,
  increment = false,
): readonly ChannelListEntry[] {
  const entry = list.find((e) => e.cid === message.cid);
  if (!entry || message.parent_id !== null) return list;
  const unread = unreadCount ?? entry.unreadCount + (increment ? 1 : 0);
  const channel = { ...entry.channel, last_message_at: message.created_at };
  return mergeEntries(list, [{ ...entry, channel, lastMessage: message, unreadCount: unread }]);
}

/** Sets one channel's unread count (e.g. after `markRead`). */
export function setEntryUnread(list: readonly ChannelListEntry[], cid: string, unreadCount: number) {
  const index = list.findIndex((e) => e.cid === cid);
  const entry = list[index];
  if (!entry || entry.unreadCount === unreadCount) return list;
  const copy = [...list];
  copy[index] = { ...entry, unreadCount };
  return copy;
}

/** Removes a channel (deleted, or the user was removed from it). */
export function removeEntry(list: readonly ChannelListEntry[], cid: string): readonly ChannelListEntry[] {
  const next = list.filter((e) => e.cid !== cid);
  return next.length === list.length ? list : next;
}
