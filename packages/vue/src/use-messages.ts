import type { Channel, LocalMessage, SendMessageInput } from '@chat/core';
import { type ComputedRef, computed, type MaybeRefOrGetter, toValue } from 'vue';
import { useStore } from './use-store';

/** What `useMessages` returns: the channel's top-level messages and the actions on them. */
export interface MessagesApi {
  /** Oldest first; the user's unsent messages come last with status `sending` or `failed`. */
  messages: ComputedRef<readonly LocalMessage[]>;
  /** Whether older messages may exist on the server (`state.hasOlder`). */
  hasMore: ComputedRef<boolean>;
  loading: ComputedRef<boolean>;
  /** Loads a page older than the oldest shown; resolves with whether more exist. */
  loadOlder(limit?: number): Promise<boolean>;
  send(input: SendMessageInput): Promise<LocalMessage>;
  edit(id: string, text: string): Promise<unknown>;
  remove(id: string): Promise<unknown>;
  retry(id: string): Promise<LocalMessage>;
  discard(id: string): void;
  react(id: string, type: string): Promise<unknown>;
  unreact(id: string, type: string): Promise<unknown>;
}

/**
 * The messages of a channel (e.g. `useChannel(...).channel`) and the actions on them; every
 * action is the channel's own method, applied to the channel current at call time.
 *
 * @example
 * const { messages, hasMore, loadOlder, send } = useMessages(channel);
 * await send({ text: 'hi' }); // shown at once as 'sending'
 */
export function useMessages(channel: MaybeRefOrGetter<Channel>): MessagesApi {
  const state = useStore(() => toValue(channel).state);
  const current = () => toValue(channel);
  return {
    // Computeds over one subscription: each updates its dependents only when its slice changed.
    messages: computed(() => state.value.messages),
    hasMore: computed(() => state.value.hasOlder),
    loading: computed(() => state.value.loading),
    loadOlder: (limit) => current().loadOlder(limit === undefined ? {} : { limit }),
    send: (input) => current().sendMessage(input),
    edit: (id, text) => current().updateMessage(id, { text }),
    remove: (id) => current().deleteMessage(id),
    retry: (id) => current().retryMessage(id),
    discard: (id) => current().discardMessage(id),
    react: (id, type) => current().sendReaction(id, type),
    unreact: (id, type) => current().deleteReaction(id, type),
  };
}
