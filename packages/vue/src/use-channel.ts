import type { Channel, ChannelSnapshot } from '@chat/core';
import { type ComputedRef, computed, type MaybeRefOrGetter, onScopeDispose, toValue, watch } from 'vue';
import { injectChatClient } from './chat-context';
import type { ChannelType } from './core-types';
import { inBrowser } from './environment';
import { type StoreRef, useStore } from './use-store';

/**
 * The handle of channel `type:id` and its state, watched while in use. Changing `type` or `id`
 * releases the old channel (core unwatches it after a short grace, unless someone else holds
 * it) and retains the new one.
 *
 * @example
 * const props = defineProps<{ id: string }>();
 * const { channel, state } = useChannel('team', () => props.id);
 * const { messages, send } = useMessages(channel);
 */
export function useChannel(
  type: MaybeRefOrGetter<ChannelType>,
  id: MaybeRefOrGetter<string>,
): { channel: ComputedRef<Channel>; state: StoreRef<ChannelSnapshot> } {
  const client = injectChatClient();
  // The client returns the same handle per cid, so this changes only when the cid does.
  const channel = computed(() => client.channel(toValue(type), toValue(id)));
  if (inBrowser()) {
    let release: (() => void) | undefined;
    watch(
      channel,
      (next) => {
        // Retain the new one first: switching back within the grace period costs nothing.
        const previous = release;
        release = next.retainWatch();
        previous?.();
      },
      { immediate: true, flush: 'sync' },
    );
    onScopeDispose(() => release?.());
  }
  return { channel, state: useStore(() => channel.value.state) };
}
