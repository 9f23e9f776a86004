import type { ChannelSnapshot } from '@chat/core';
import { useMessages, useStore } from '@chat/react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useActiveChannel } from '../../context/channel-context';
import { replaceable } from '../../context/components';
import { jumpToMessage } from '../../context/jump-target';
import { useStrings } from '../../context/ui-context';
import { useOwnUserId } from '../../hooks/use-own-user-id';
import { useWithoutBlocked } from '../../hooks/use-without-blocked';
import { NewMessagesPill } from '../new-messages-pill';
import { buildRows, type MessageRow as MessageRowData } from './build-rows';
import { MessageRow } from './message-row';
import { firstUnreadId, useUnreadMark } from './unread-divider';
import { useJump } from './use-jump';
import { useKeepInView } from './use-keep-in-view';
import { useMarkRead } from './use-mark-read';
import { useReadReceipts } from './use-read-receipts';
import { rowShape, useRowEstimates } from './use-row-estimates';

export interface MessageListProps {
  /** Messages per page when loading older ones. Default 50. */
  pageSize?: number;
  /**
   * A row's height before it is measured, in px. Default 50: about the mean of a conversation's
   * rows (a message under its author's header is ~67 px, one grouped under the previous ~23 px).
   */
  estimatedRowHeight?: number;
}

/** Within this many px of the end counts as "at the end" (sticks to new messages). */
const END_THRESHOLD_PX = 48;
/** Older messages load when the user scrolls within this many px of the top (newer: of the end). */
const LOAD_OLDER_PX = 400;

// Layout effects warn on the server; nothing here needs to run there.
const useClientLayoutEffect = typeof document === 'undefined' ? useEffect : useLayoutEffect;

const selectChannel = (s: ChannelSnapshot) => s.channel;

/**
 * The channel's messages in a virtualized `role="log"`: only the rows on screen are in the DOM,
 * each measured as it renders, so 10,000 messages scroll like 50.
 *
 * - Sticks to the end while the user is there; a new message elsewhere shows a "new messages" pill.
 * - Loads older messages as the user nears the top, keeping the messages in view exactly where
 *   they were (see `useKeepInView`).
 * - Marks the channel read once its end is on screen and the page is visible.
 * - A "new messages" line above the first message unread when the channel opened, and a button
 *   to jump to it while it is out of view.
 * - Jumps to a message (`jumpToMessage`, a quoted message): loaded around it when it is far back,
 *   scrolled to, highlighted and focused. Such a window of the past pages forward as the user
 *   scrolls down, and "Jump to latest" returns to the newest.
 */
function DefaultMessageList({ pageSize = 50, estimatedRowHeight = 50 }: MessageListProps) {
  const t = useStrings();
  const channel = useActiveChannel('MessageList');
  const {
    messages: loaded,
    hasMore,
    hasNewer,
    loading,
    loadOlder,
    loadNewer,
    jumpToLatest,
  } = useMessages(channel);
  // What the server sent before the user blocked someone: theirs go at once.
  const messages = useWithoutBlocked(loaded);
  const data = useStore(channel.state, selectChannel);
  const ownUserId = useOwnUserId();
  const readers = useReadReceipts(channel, ownUserId);
  const rows = useMemo(() => buildRows(messages), [messages]);
  const scroller = useRef<HTMLDivElement>(null);
  const atEnd = useRef(true);
  const [unseen, setUnseen] = useState(0);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const olderInFlight = useRef(false);
  const [loadingNewer, setLoadingNewer] = useState(false);
  const newerInFlight = useRef(false);
  const jump = useJump(channel, () => {
    atEnd.current = false;
  });
  const unreadMark = useUnreadMark(channel, ownUserId);
  const dividerId = useMemo(
    () => firstUnreadId(messages, unreadMark, ownUserId),
    [messages, unreadMark, ownUserId],
  );
  const dividerIndex = dividerId ? rows.findIndex((row) => row.message.id === dividerId) : -1;
  const [dividerAbove, setDividerAbove] = useState(false);

  const shapeOf = useCallback(
    (row: MessageRowData) => {
      const id = row.message.id;
      // The unread line and read receipts are on a few rows: not part of the cached shape.
      return id === dividerId || readers.has(id)
        ? `${rowShape(row)}|${id === dividerId ? 'u' : ''}${readers.has(id) ? 'v' : ''}`
        : rowShape(row);
    },
    [dividerId, readers],
  );
  const isAtEnd = useCallback(() => atEnd.current, []);
  const estimates = useRowEstimates(rows, estimatedRowHeight, shapeOf, isAtEnd);
  // Stable between renders: the virtualizer re-places every row (all 10,000 of a long history)
  // whenever it changes identity, so only when the rows or the learned estimates do.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the version is the point: it re-places the rows
  const getItemKey = useCallback((index: number) => rows[index]?.key ?? index, [rows, estimates.version]);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: estimates.estimateSize,
    measureElement: estimates.measureElement,
    getItemKey,
    overscan: 4,
    // Chat semantics, built into the virtualizer: a prepend keeps the row at the top of the
    // viewport in place (anchored by key), and an append while at the end follows it (not the
    // pages of a window of the past loading below the reader).
    anchorTo: 'end',
    followOnAppend: !hasNewer,
    scrollEndThreshold: END_THRESHOLD_PX,
    // Start at the newest message: the first frame already shows the end, not the top.
    initialOffset: () => rows.length * estimatedRowHeight,
  });

  const getScroller = useCallback(() => scroller.current, []);
  const markReadIfSeen = useMarkRead(channel, isAtEnd, getScroller);

  const noteInView = useKeepInView(virtualizer, scroller, rows[0]?.key);
  const loadOlderPage = useCallback(() => {
    if (olderInFlight.current || !hasMore || loading) return;
    olderInFlight.current = true;
    setLoadingOlder(true);
    loadOlder(pageSize)
      .catch(() => {})
      .finally(() => {
        olderInFlight.current = false;
        setLoadingOlder(false);
      });
  }, [hasMore, loading, loadOlder, pageSize]);

  const loadNewerPage = useCallback(() => {
    if (newerInFlight.current || !hasNewer) return;
    newerInFlight.current = true;
    setLoadingNewer(true);
    loadNewer(pageSize)
      .catch(() => {})
      .finally(() => {
        newerInFlight.current = false;
        setLoadingNewer(false);
      });
  }, [hasNewer, loadNewer, pageSize]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const { scrollTop, clientHeight } = el;
    noteInView(scrollTop, clientHeight);
    const fromEnd = el.scrollHeight - scrollTop - clientHeight;
    // A window of the past has no end to stick to: more of it loads below instead.
    atEnd.current = !hasNewer && fromEnd <= END_THRESHOLD_PX;
    if (atEnd.current) {
      setUnseen(0);
      markReadIfSeen();
    }
    if (scrollTop < LOAD_OLDER_PX) loadOlderPage();
    if (hasNewer && fromEnd < LOAD_OLDER_PX) loadNewerPage();
    if (dividerIndex >= 0) {
      const first = virtualizer.getVirtualItems().find((item) => item.end > scrollTop);
      setDividerAbove(first !== undefined && first.index > dividerIndex);
    }
  };

  // Scrolls from an effect go through a microtask: the virtualizer re-renders synchronously
  // (flushSync), which React refuses inside a commit. A microtask still runs before paint.
  const scrollToEnd = useCallback(() => queueMicrotask(() => virtualizer.scrollToEnd()), [virtualizer]);

  // A channel opened with messages already in memory starts at its end. Only on mount: later
  // appends are followed by the virtualizer itself.
  useClientLayoutEffect(() => {
    if (rows.length > 0) scrollToEnd();
  }, []);

  // Learned estimates re-placed the rows above (only ever while at the end): stay there. Not in
  // a window of the past: a jump replaced the rows while the list was still at the newest, and
  // following that stale end would carry the list away from the message jumped to.
  useClientLayoutEffect(() => {
    if (estimates.version > 0 && atEnd.current && !hasNewer) scrollToEnd();
  }, [estimates.version]);

  // Appends: the user's own new message always scrolls to it; others' count into the pill
  // when the user is reading further up (the virtualizer followed them otherwise).
  // Runs once per new last row; `rows` and the rest are read for it, not watched.
  const lastKey = rows.at(-1)?.key;
  const previousLastKey = useRef(lastKey);
  useClientLayoutEffect(() => {
    const previous = previousLastKey.current;
    previousLastKey.current = lastKey;
    if (previous === undefined || previous === lastKey) return;
    const from = rows.findIndex((row) => row.key === previous);
    const added = from === -1 ? [] : rows.slice(from + 1);
    if (added.some((row) => row.message.user_id === ownUserId && row.message.status === 'sending')) {
      atEnd.current = true;
      setUnseen(0);
      scrollToEnd();
      return;
    }
    const fromOthers = added.filter((row) => row.message.user_id !== ownUserId).length;
    if (fromOthers > 0 && !atEnd.current) setUnseen((n) => n + fromOthers);
  }, [lastKey]);

  // A first page shorter than the viewport cannot be scrolled up: fetch more until it fills.
  // The total changes with every row measured while scrolling: the viewport's height comes from
  // the virtualizer (it observes the scroller), as reading `clientHeight` here forced a layout.
  const totalSize = virtualizer.getTotalSize();
  useEffect(() => {
    const el = scroller.current;
    if (!el || rows.length === 0) return;
    const height = virtualizer.scrollRect?.height || el.clientHeight;
    if (height > 0 && totalSize < height) loadOlderPage();
  }, [totalSize, rows.length, loadOlderPage, virtualizer]);

  const jumpToEnd = () => {
    if (hasNewer) {
      void jumpToLatest()
        .then(() => {
          atEnd.current = true;
          scrollToEnd();
        })
        .catch(() => {});
      return;
    }
    atEnd.current = true;
    setUnseen(0);
    virtualizer.scrollToEnd();
    markReadIfSeen();
  };

  // A jump's page is in: scroll its message to the middle, then highlight and focus it.
  const jumpIndex = jump.pending ? rows.findIndex((row) => row.message.id === jump.pending) : -1;
  useEffect(() => {
    if (!jump.pending || jumpIndex < 0) return;
    const messageId = jump.pending;
    atEnd.current = false;
    virtualizer.scrollToIndex(jumpIndex, { align: 'center' });
    jump.arrived(messageId);
    requestAnimationFrame(() =>
      scroller.current
        ?.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(messageId)}"] [tabindex="-1"]`)
        ?.focus({ preventScroll: true }),
    );
  }, [jump.pending, jump.arrived, jumpIndex, virtualizer]);

  const toFirstUnread = () => {
    if (dividerIndex >= 0) {
      atEnd.current = false;
      virtualizer.scrollToIndex(dividerIndex, { align: 'start' });
      setDividerAbove(false);
    } else if (unreadMark.lastReadId) jumpToMessage(channel, unreadMark.lastReadId);
  };
  // The first unread is not loaded (further back than the list): the button goes and gets it.
  const unreadOutOfReach = unreadMark.count > 0 && dividerIndex < 0 && unreadMark.lastReadId !== null;

  const title = data?.name?.trim() || channel.id;
  return (
    <div className="chat-message-list">
      {loadingOlder && (
        <p className="chat-message-list__loading-older" role="status">
          {t('messageList.loadingOlder')}
        </p>
      )}
      {(dividerAbove || unreadOutOfReach) && (
        <button
          type="button"
          className="chat-jump-to-unread"
          data-testid="chat-jump-to-unread"
          onClick={toFirstUnread}
        >
          <span aria-hidden="true">↑ </span>
          {t('messageList.jumpToUnread')}
        </button>
      )}
      {jump.failed && (
        <p className="chat-message-list__notice" role="status">
          {t('messageList.jumpFailed')}
        </p>
      )}
      <div
        ref={scroller}
        className="chat-message-list__scroller"
        role="log"
        aria-label={t('messageList.label', { channel: title })}
        aria-busy={loading || loadingOlder || loadingNewer}
        // Focusable, so keyboard users can scroll it (arrow keys, Page Up/Down); axe requires it
        // of a scrollable region.
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable log must be reachable by keyboard
        tabIndex={0}
        data-testid="chat-message-list"
        onScroll={onScroll}
      >
        {rows.length === 0 ? (
          <p className="chat-message-list__empty">
            {loading ? t('messageList.loading') : t('messageList.empty')}
          </p>
        ) : (
          <div className="chat-message-list__canvas" style={{ height: totalSize }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row = rows[item.index];
              if (!row) return null;
              return (
                <div
                  key={item.key}
                  ref={virtualizer.measureElement}
                  data-index={item.index}
                  data-message-id={row.message.id}
                  data-highlighted={jump.highlighted === row.message.id || undefined}
                  className="chat-message-list__row"
                  style={{ transform: `translateY(${item.start}px)` }}
                >
                  <MessageRow
                    message={row.message}
                    startsDay={row.startsDay}
                    grouped={row.grouped}
                    isOwn={row.message.user_id === ownUserId}
                    readers={readers.get(row.message.id)}
                    unreadLine={row.message.id === dividerId ? t('messageList.unreadDivider') : undefined}
                  />
                </div>
              );
            })}
          </div>
        )}
      </div>
      {loadingNewer && (
        <p className="chat-message-list__loading-newer" role="status">
          {t('messageList.loadingNewer')}
        </p>
      )}
      {hasNewer ? (
        <button
          type="button"
          className="chat-new-messages-pill"
          data-testid="chat-jump-to-latest"
          onClick={jumpToEnd}
        >
          <span aria-hidden="true">↓ </span>
          {t('messageList.jumpToLatest')}
        </button>
      ) : (
        unseen > 0 && <NewMessagesPill count={unseen} onClick={jumpToEnd} />
      )}
    </div>
  );
}

export { DefaultMessageList };
export const MessageList = replaceable('MessageList', DefaultMessageList);
