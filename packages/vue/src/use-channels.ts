import type { ChannelListEntry, ChannelQueryInput, ChatError } from '@chat/core';
import { type ComputedRef, computed, type MaybeRefOrGetter, toValue, watch } from 'vue';
import { injectChatClient } from './chat-context';
import { inBrowser } from './environment';
import { useStore } from './use-store';

/** What `useChannels` returns: the live channel list of a query, and paging. */
export interface ChannelsApi {
  /** Newest activity first; live (new messages reorder it, unread counts update). */
  channels: ComputedRef<readonly ChannelListEntry[]>;
  loading: ComputedRef<boolean>;
  hasMore: ComputedRef<boolean>;
  error: ComputedRef<ChatError | null>;
  loadMore(): Promise<void>;
  reload(): Promise<void>;
}

/**
 * The channels matching `query` (`client.channels.paginate`), loaded when the component sets up
 * and again whenever the query changes: compared by JSON, so a getter that builds a fresh object
 * each time reloads only when the content differs.
 *
 * @example
 * const { channels, hasMore, loadMore } = useChannels({ sort: { last_message_at: -1 }, limit: 20 });
 */
export function useChannels(query: MaybeRefOrGetter<ChannelQueryInput> = {}): ChannelsApi {
  const client = injectChatClient();
  const key = computed(() => JSON.stringify(toValue(query) ?? {}));
  const list = computed(() => client.channels.paginate(JSON.parse(key.value) as ChannelQueryInput));
  const state = useStore(() => list.value.state);
  if (inBrowser()) {
    // A failure shows in `error`; the rejection matters only to whoever awaits a reload.
    watch(list, (current) => void current.reload().catch(() => {}), { immediate: true });
  }
  return {
    channels: computed(() => state.value.entries),
    loading: computed(() => state.value.loading),
    hasMore: computed(() => state.value.hasMore),
    error: computed(() => state.value.error),
    loadMore: () => list.value.loadMore(),
    reload: () => list.value.reload(),
  };
}
