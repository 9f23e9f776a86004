import type { Channel, LocalMessage, SendMessageInput } from '@chat/core';
import { type ComputedRef, computed, type MaybeRefOrGetter, toValue, watch } from 'vue';
import { inBrowser } from './environment';
import { useStore } from './use-store';

const NO_REPLIES: readonly LocalMessage[] = [];

/**
 * The thread under message `parentId`: the parent, its replies (oldest first), and `send` to
 * reply. The replies are loaded when the thread opens and when `parentId` changes; new ones
 * arrive live while the channel is watched.
 *
 * @example
 * const { parent, replies, send } = useThread(channel, () => props.parentId);
 * await send({ text: 'in the thread' });
 */
export function useThread(
  channel: MaybeRefOrGetter<Channel>,
  parentId: MaybeRefOrGetter<string>,
): {
  parent: ComputedRef<LocalMessage | undefined>;
  replies: ComputedRef<readonly LocalMessage[]>;
  send(input: Omit<SendMessageInput, 'parentId'>): Promise<LocalMessage>;
} {
  const state = useStore(() => toValue(channel).state);
  if (inBrowser()) {
    watch(
      [() => toValue(channel), () => toValue(parentId)],
      // A failed load leaves the replies as they were; live replies still arrive.
      ([current, id]) => void current.getReplies(id).catch(() => {}),
      { immediate: true },
    );
  }
  return {
    parent: computed(() => state.value.messages.find((m) => m.id === toValue(parentId))),
    replies: computed(() => state.value.threads[toValue(parentId)] ?? NO_REPLIES),
    send: (input) => toValue(channel).sendMessage({ ...input, parentId: toValue(parentId) }),
  };
}
