import { type ComputedRef, computed, type MaybeRefOrGetter, toValue } from 'vue';
import { injectChatClient } from './chat-context';
import { useStore } from './use-store';

/**
 * Whether `userId` is online (`false` while this client has not heard of them).
 *
 * @example
 * const online = usePresence(() => props.userId);
 */
export function usePresence(userId: MaybeRefOrGetter<string>): ComputedRef<boolean> {
  const presence = useStore(injectChatClient().users.presence);
  // A computed of a boolean: dependents update only when this user's presence flips.
  return computed(() => presence.value[toValue(userId)] === true);
}
