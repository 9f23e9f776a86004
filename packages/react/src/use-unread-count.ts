import type { ChannelListEntry, ReadableStore } from '@chat/core';
import { useCallback } from 'react';
import { useChatClient } from './chat-context';
import { useStore } from './use-store';

/**
 * The user's unread messages: across all channels, or in the channel `cid` (from the channel
 * list; 0 for a channel not in it). Re-renders only when that number changes.
 *
 * @example
 * const total = useUnreadCount();
 * const inGeneral = useUnreadCount('team:general');
 */
export function useUnreadCount(cid?: string): number {
  const { channels } = useChatClient('useUnreadCount');
  // One subscription, to the one store the number comes from: subscribing to both would
  // re-render a channel's badge whenever the total moves.
  const store: ReadableStore<unknown> = cid === undefined ? channels.unreadTotal : channels.list;
  const select = useCallback(
    (value: unknown) =>
      cid === undefined
        ? (value as number)
        : ((value as readonly ChannelListEntry[]).find((entry) => entry.cid === cid)?.unreadCount ?? 0),
    [cid],
  );
  return useStore(store, select);
}
