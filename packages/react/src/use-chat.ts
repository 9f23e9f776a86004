import type { ChatClient } from '@chat/core';
import { useMemo } from 'react';
import { useChatClient } from './chat-context';
import type { User } from './core-types';
import { useStore } from './use-store';

/** What `useChat` returns. */
export interface ChatResult {
  client: ChatClient;
  /** The connected user; `undefined` before the server answers `connect`, and after `disconnect`. */
  user: User | undefined;
}

/**
 * The client from `<ChatProvider>` and the connected user (`undefined` until the server has
 * answered `connect`, and after `disconnect`).
 *
 * @example
 * const { client, user } = useChat();
 * return user ? <p>Signed in as {user.name ?? user.id}</p> : <Login onLogin={(u, t) => client.connect(u, t)} />;
 */
export function useChat(): ChatResult {
  const client = useChatClient('useChat');
  const user = useStore(client.user);
  return useMemo(() => ({ client, user }), [client, user]);
}
