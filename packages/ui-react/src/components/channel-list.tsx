import type { ChannelListEntry, ChannelSnapshot, ReadableStore } from '@chat/core';
import { type ChannelsQuery, useChannels, useChat, useStore } from '@chat/react';
import { type KeyboardEvent, useCallback, useEffect, useMemo, useRef } from 'react';
import { replaceable } from '../context/components';
import { useChatLayout } from '../context/layout-context';
import { useChannelSelection } from '../context/selection-context';
import { useStrings } from '../context/ui-context';
import { useOwnUserId } from '../hooks/use-own-user-id';
import { ChannelListItem } from './channel-list-item';

export interface ChannelListProps {
  /** Which channels, in which order, how many per page (see `client.channels.paginate`). */
  query?: ChannelsQuery;
  /** Select the first channel when none is shown yet. Default `true`. */
  autoSelect?: boolean;
  /** Called after a channel is selected (besides showing it in `<Channel>`). */
  onSelect?(cid: string): void;
}

const DEFAULT_QUERY: ChannelsQuery = { sort: { last_message_at: -1 }, limit: 30 };

const selectLoadedUnread = (s: ChannelSnapshot | null) => (s?.channel ? s.unreadCount : null);
// While no channel is shown: hooks need a store to subscribe to.
const NO_CHANNEL: ReadableStore<ChannelSnapshot | null> = {
  getSnapshot: () => null,
  subscribe: () => () => {},
};

/**
 * The list's entries, with the shown channel's unread count taken from its watched handle: a
 * read made while the list was still loading can reach the handle but not the list (core drops
 * a count change for a channel the list does not hold yet), and the badge must not lie.
 */
function useTruthfulUnread(entries: readonly ChannelListEntry[], activeCid: string | null) {
  const { client } = useChat();
  const active = activeCid ? client.channels.byCid(activeCid) : null;
  const unread = useStore<ChannelSnapshot | null, number | null>(
    active?.state ?? NO_CHANNEL,
    selectLoadedUnread,
  );
  return useMemo(
    () =>
      active && unread !== null
        ? entries.map((e) =>
            e.cid === active.cid && e.unreadCount !== unread ? { ...e, unreadCount: unread } : e,
          )
        : entries,
    [entries, active, unread],
  );
}

/**
 * The user's channels, newest activity first and live, with unread badges and the last message.
 * A listbox: ArrowUp/ArrowDown (and Home/End) select the previous/next channel, so the list is
 * one tab stop. "Load more" fetches the next page.
 */
function DefaultChannelList({ query = DEFAULT_QUERY, autoSelect = true, onSelect }: ChannelListProps) {
  const t = useStrings();
  const { channels: listed, loading, hasMore, error, loadMore, reload } = useChannels(query);
  const { activeCid, select } = useChannelSelection();
  const channels = useTruthfulUnread(listed, activeCid);
  const ownUserId = useOwnUserId();
  const items = useRef(new Map<string, HTMLDivElement>());
  const selectedIndex = channels.findIndex((entry) => entry.cid === activeCid);

  const layout = useChatLayout();
  const showChannel = layout?.showChannel;
  // The user's choice (not an automatic first selection): on a phone it opens the channel.
  const choose = useCallback(
    (cid: string, open = true) => {
      select(cid);
      if (open) showChannel?.();
      onSelect?.(cid);
    },
    [select, onSelect, showChannel],
  );

  const first = channels[0]?.cid;
  useEffect(() => {
    if (autoSelect && activeCid === null && first) select(first);
  }, [autoSelect, activeCid, first, select]);

  const onKeyDown = (event: KeyboardEvent<HTMLElement>, cid: string) => {
    const at = channels.findIndex((entry) => entry.cid === cid);
    const target = {
      ArrowDown: Math.min(at + 1, channels.length - 1),
      ArrowUp: Math.max(at - 1, 0),
      Home: 0,
      End: channels.length - 1,
      Enter: at,
      ' ': at,
    }[event.key];
    const entry = target === undefined ? undefined : channels[target];
    if (!entry) return;
    event.preventDefault();
    // Arrows move the selection; Enter and Space open it (on a phone, the channel pane).
    choose(entry.cid, event.key === 'Enter' || event.key === ' ');
    items.current.get(entry.cid)?.focus();
  };

  return (
    <nav className="chat-channel-list" aria-label={t('channelList.label')} data-testid="chat-channel-list">
      {channels.length > 0 && (
        <div className="chat-channel-list__items" role="listbox" aria-label={t('channelList.label')}>
          {channels.map((entry, index) => (
            <ChannelListItem
              muted={entry.muted ?? false}
              key={entry.cid}
              entry={entry}
              selected={entry.cid === activeCid}
              focusable={selectedIndex === -1 ? index === 0 : index === selectedIndex}
              ownUserId={ownUserId}
              onSelect={choose}
              onKeyDown={onKeyDown}
              itemRef={(node) => {
                if (node) items.current.set(entry.cid, node);
                else items.current.delete(entry.cid);
              }}
            />
          ))}
        </div>
      )}
      <div className="chat-channel-list__footer" aria-live="polite">
        {/* Before the first page (also in a server render) the list is not known to be empty. */}
        {!error && (loading || (hasMore && channels.length === 0)) && (
          <p className="chat-channel-list__status">{t('channelList.loading')}</p>
        )}
        {!loading && !hasMore && !error && channels.length === 0 && (
          <p className="chat-channel-list__status">{t('channelList.empty')}</p>
        )}
        {error && (
          <p className="chat-channel-list__status chat-channel-list__status--error" role="alert">
            {t('channelList.error')}{' '}
            <button type="button" className="chat-button" onClick={() => void reload().catch(() => {})}>
              {t('channelList.retry')}
            </button>
          </p>
        )}
        {hasMore && !loading && !error && channels.length > 0 && (
          <button
            type="button"
            className="chat-button chat-channel-list__load-more"
            data-testid="chat-channel-list-load-more"
            onClick={() => void loadMore().catch(() => {})}
          >
            {t('channelList.loadMore')}
          </button>
        )}
      </div>
    </nav>
  );
}

export { DefaultChannelList };
export const ChannelList = replaceable('ChannelList', DefaultChannelList);
