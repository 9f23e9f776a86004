import { type ComputedRef, computed, type MaybeRefOrGetter, toValue } from 'vue';
import { injectChatClient } from './chat-context';
import { useStore } from './use-store';

/**
 * The connected user's unread messages: the total, or those of channel `cid` (from the channel
 * list; 0 for a channel not in it).
 *
 * @example
 * const total = useUnreadCount();
 * const general = useUnreadCount('team:general');
 */
export function useUnreadCount(cid?: MaybeRefOrGetter<string | undefined>): ComputedRef<number> {
  const { channels } = injectChatClient();
  const total = useStore(channels.unreadTotal);
  const list = useStore(channels.list);
  return computed(() => {
    const wanted = toValue(cid);
    if (wanted === undefined) return total.value;
    return list.value.find((entry) => entry.cid === wanted)?.unreadCount ?? 0;
  });
}
