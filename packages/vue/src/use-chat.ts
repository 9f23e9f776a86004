import type { ChatClient } from '@chat/core';
import { injectChatClient } from './chat-context';
import type { ChatUser } from './core-types';
import { type StoreRef, useStore } from './use-store';

/**
 * The provided client and the connected user (`undefined` until connected, and after logout).
 *
 * @example
 * const { client, user } = useChat();
 * await client.auth.login({ username, password }); // then user.value?.id === 'alice'
 */
export function useChat(): { client: ChatClient; user: StoreRef<ChatUser | undefined> } {
  const client = injectChatClient();
  return { client, user: useStore(client.user) };
}
