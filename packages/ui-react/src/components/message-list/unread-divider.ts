import type { Channel, ChannelSnapshot, LocalMessage } from '@chat/core';
import { useEffect, useState } from 'react';

/** Where the user stopped reading when the channel was opened. */
export interface UnreadMark {
  /** Unread messages from others at that moment. */
  readonly count: number;
  /** The last message they had read, when the server knows it. */
  readonly lastReadId: string | null;
}

/**
 * Freezes the user's read position when the list opens (a new channel, a new list) — or, for a
 * channel not loaded yet, when its state first arrives: the "new messages" line stays where the
 * unread began while the user reads on and the channel is marked read, as in Slack and Discord.
 * Later messages do not move it.
 */
export function useUnreadMark(channel: Channel, ownUserId: string | undefined): UnreadMark {
  const [mark, setMark] = useState<UnreadMark | null>(() => markOf(channel.state.getSnapshot(), ownUserId));
  useEffect(() => {
    if (mark) return;
    const take = () => {
      const taken = markOf(channel.state.getSnapshot(), ownUserId);
      if (taken) setMark(taken);
    };
    take();
    return channel.state.subscribe(take);
  }, [channel, mark, ownUserId]);
  return mark ?? NOTHING_UNREAD;
}

const NOTHING_UNREAD: UnreadMark = { count: 0, lastReadId: null };

function markOf(state: ChannelSnapshot, ownUserId: string | undefined): UnreadMark | null {
  if (!state.channel) return null;
  const lastReadId = (ownUserId && state.read[ownUserId]?.last_read_message_id) || null;
  return { count: state.unreadCount, lastReadId };
}

/**
 * The id of the first unread message among `messages`, where the line goes; `null` when nothing
 * was unread, or when the first unread is not loaded (further back than the list holds).
 * By the last read message when it is loaded, else by counting the others' messages back.
 */
export function firstUnreadId(
  messages: readonly LocalMessage[],
  mark: UnreadMark,
  ownUserId: string | undefined,
): string | null {
  if (mark.count <= 0) return null;
  const sent = messages.filter((m) => m.status === 'sent');
  if (mark.lastReadId) {
    const at = sent.findIndex((m) => m.id === mark.lastReadId);
    if (at >= 0) return sent.slice(at + 1).find((m) => m.user_id !== ownUserId)?.id ?? null;
  }
  let left = mark.count;
  for (let i = sent.length - 1; i >= 0; i--) {
    const message = sent[i]!;
    if (message.user_id === ownUserId) continue;
    left--;
    if (left === 0) return message.id;
  }
  return null;
}
