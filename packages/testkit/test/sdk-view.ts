import type { Channel, ChatClient, ReadableStore } from '@chat/core';

/** Resolves once `predicate` holds for the store's value (rejects after `ms`, naming the last value). */
export function until<T>(store: ReadableStore<T>, predicate: (value: T) => boolean, ms = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    if (predicate(store.getSnapshot())) return resolve(store.getSnapshot());
    const timer = setTimeout(() => {
      stop();
      reject(
        new Error(`Timed out waiting; last value: ${JSON.stringify(store.getSnapshot()).slice(0, 800)}`),
      );
    }, ms);
    const stop = store.subscribe(() => {
      if (!predicate(store.getSnapshot())) return;
      clearTimeout(timer);
      stop();
      resolve(store.getSnapshot());
    });
  });
}

/**
 * What a user sees of a channel through the SDK, without what differs between two servers by
 * nature (ids, times, the connection id): messages by text, reactions, threads, members, read
 * states (the last read message named by its text), typing, unread count and seqs.
 */
export function channelView(channel: Channel) {
  const s = channel.state.getSnapshot();
  const textOf = (id: string | null) =>
    id === null
      ? null
      : ([...s.messages, ...Object.values(s.threads).flat()].find((m) => m.id === id)?.text ?? '?');
  const message = (m: (typeof s.messages)[number]) => ({
    text: m.text,
    user: m.user_id,
    type: m.type,
    status: m.status,
    seq: m.seq,
    edited: m.edited_at !== null,
    reactions: m.reaction_counts,
    own: m.own_reactions,
    replies: m.reply_count,
    quoted: m.quoted_message?.text ?? null,
  });
  return {
    cid: s.cid,
    name: s.channel?.name ?? null,
    seq: s.channel?.seq,
    lastSeq: s.lastSeq,
    memberCount: s.channel?.member_count,
    messages: s.messages.map(message),
    threads: Object.fromEntries(
      Object.entries(s.threads).map(([parent, list]) => [textOf(parent), list.map(message)]),
    ),
    members: Object.values(s.members)
      .map((m) => ({ id: m.user_id, role: m.role, unread: m.unread_count }))
      .sort((a, b) => a.id.localeCompare(b.id)),
    read: Object.values(s.read)
      .map((r) => ({ user: r.user_id, unread: r.unread_count, lastRead: textOf(r.last_read_message_id) }))
      .sort((a, b) => a.user.localeCompare(b.user)),
    typing: Object.keys(s.typing).sort(),
    unreadCount: s.unreadCount,
    membership: s.membership ? { role: s.membership.role, muted: s.membership.muted } : null,
    error: s.error?.code ?? null,
  };
}

/** The user's channel list and unread badge as the SDK shows them. */
export function listView(client: ChatClient) {
  return {
    channels: client.channels.list.getSnapshot().map((e) => ({
      cid: e.cid,
      name: e.channel.name,
      unread: e.unreadCount,
      last: e.lastMessage?.text ?? null,
    })),
    unreadTotal: client.channels.unreadTotal.getSnapshot(),
    status: client.connection.getSnapshot().status,
  };
}
