import type { Channel, ChannelSnapshot } from '@chat/core';
import { useStore } from '@chat/react';
import { useCallback, useEffect } from 'react';

const selectUnread = (s: ChannelSnapshot) => s.unreadCount;

const pageVisible = (node: Element | null) => node?.ownerDocument.visibilityState !== 'hidden';

/**
 * Marks the channel read when the user can actually see its newest message: the list is scrolled
 * to the end and the page is visible. A message that arrives while the tab is hidden, or while
 * the user reads older messages, stays unread, so the badges tell the truth.
 * Returns `check`, for the list to call when it reaches the end.
 */
export function useMarkRead(channel: Channel, atEnd: () => boolean, scroller: () => Element | null) {
  const unread = useStore(channel.state, selectUnread);
  const check = useCallback(() => {
    if (channel.state.getSnapshot().unreadCount === 0) return;
    if (!atEnd() || !pageVisible(scroller())) return;
    // Core applies it at once (unreadCount 0) and queues it while offline.
    void channel.markRead().catch(() => {});
  }, [channel, atEnd, scroller]);
  useEffect(() => {
    if (unread > 0) check();
  }, [unread, check]);
  useEffect(() => {
    const doc = scroller()?.ownerDocument;
    doc?.addEventListener('visibilitychange', check);
    return () => doc?.removeEventListener('visibilitychange', check);
  }, [check, scroller]);
  return check;
}
