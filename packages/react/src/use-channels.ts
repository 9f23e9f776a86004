import type { ChannelListEntry, ChannelListQuery, ChatClient, ChatError } from '@chat/core';
import { useMemo } from 'react';
import { useChatClient } from './chat-context';
import { useLoadOnce } from './use-load-once';
import { useStore } from './use-store';

/** What `client.channels.paginate` takes: filter, sort, page size. */
export type ChannelsQuery = NonNullable<Parameters<ChatClient['channels']['paginate']>[0]>;

/** What `useChannels` returns: the live channel list of a query, and paging. */
export interface ChannelsResult {
  /** Newest activity first; live (new messages reorder it, unread counts update). */
  channels: readonly ChannelListEntry[];
  /** A page is being fetched. */
  loading: boolean;
  /** More pages may exist (`loadMore`). */
  hasMore: boolean;
  /** Why the last fetch failed; `null` after one succeeds. */
  error: ChatError | null;
  /** Fetches the next page (single-flight); a failure shows in `error` and rejects. */
  loadMore(): Promise<void>;
  /** Fetches the first page again. */
  reload(): Promise<void>;
}

/**
 * The user's channels matching `query`, live. The first page loads on mount and again when the
 * query changes (compared by JSON, so an inline object literal is fine).
 *
 * @example
 * const { channels, hasMore, loadMore } = useChannels({ sort: { last_message_at: -1 }, limit: 20 });
 * return <ul>{channels.map((c) => <li key={c.cid}>{c.channel.name} ({c.unreadCount})</li>)}</ul>;
 */
export function useChannels(query: ChannelsQuery = {}): ChannelsResult {
  const client = useChatClient('useChannels');
  const key = JSON.stringify(query);
  // One `ChannelListQuery` per client and query key: re-renders with an equal literal reuse it.
  const list: ChannelListQuery = useMemo(
    () => client.channels.paginate(JSON.parse(key) as ChannelsQuery),
    [client, key],
  );
  const state = useStore(list.state);
  // The error shows in `state.error`; the rejection is only the caller's business.
  useLoadOnce(list, () => void list.reload().catch(() => {}));
  return useMemo(
    () => ({
      channels: state.entries,
      loading: state.loading,
      hasMore: state.hasMore,
      error: state.error,
      loadMore: () => list.loadMore(),
      reload: () => list.reload(),
    }),
    [state, list],
  );
}
