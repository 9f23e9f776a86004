import type { Channel, TypingUser } from '@chat/core';
import { type ComputedRef, computed, type MaybeRefOrGetter, toValue } from 'vue';
import { injectChatClient } from './chat-context';
import { useStore } from './use-store';

/**
 * Who else is typing in the channel (or, with `parentId`, in that thread), and the two calls an
 * input makes: `onKeystroke` on every keystroke (core throttles it) and `stop` on send or blur.
 *
 * @example
 * const { typing, onKeystroke, stop } = useTyping(channel);
 * // <input @input="onKeystroke" @blur="stop" /> <p v-if="typing.length">{{ typing[0].user.name }} is typing…</p>
 */
export function useTyping(
  channel: MaybeRefOrGetter<Channel>,
  parentId?: MaybeRefOrGetter<string | null | undefined>,
): { typing: ComputedRef<readonly TypingUser[]>; onKeystroke(): void; stop(): void } {
  const client = injectChatClient();
  const typing = useStore(
    () => toValue(channel).state,
    (s) => s.typing,
  );
  const scope = () => toValue(parentId) ?? undefined;
  return {
    typing: computed(() =>
      Object.values(typing.value).filter(
        (t) => t.user.id !== client.userId && t.parentId === (scope() ?? null),
      ),
    ),
    onKeystroke: () => toValue(channel).startTyping(scope()),
    stop: () => toValue(channel).stopTyping(scope()),
  };
}
