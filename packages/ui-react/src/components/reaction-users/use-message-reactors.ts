import type { ChatClient } from '@chat/core';
import { useChat } from '@chat/react';
import { useCallback, useEffect, useSyncExternalStore } from 'react';
import { type MessageReactors, type ReactionsLoader, reactorsOf } from './reactors-store';

/**
 * The loader used when the app gives none: the server's list (`client.messages.reactions`), its
 * first page at the largest size (100), so every type on the message is likely to be in it.
 */
const fromServer =
  (client: ChatClient): ReactionsLoader =>
  (id) =>
    client.messages
      .reactions(id, { limit: 100 })
      .then((page) => page.reactions.map((r) => ({ type: r.type, user_id: r.user.id })));

/**
 * Keeps the client's reactors store listening to live reactions while mounted (reference
 * counted). `<Chat>` mounts it once, so the first reaction seen live on any message is named
 * too (one listener, not one per message row).
 */
export function useWatchReactors(client: ChatClient): void {
  useEffect(() => reactorsOf(client).watch(), [client]);
}

/**
 * Who is known to have reacted to a message, live, and `load()` to ask `loader`, or the server
 * without one (once per message and client, cached).
 */
export function useMessageReactors(
  messageId: string,
  loader: ReactionsLoader | undefined,
): { reactors: MessageReactors; load(): void } {
  const { client } = useChat();
  const store = reactorsOf(client);
  const get = useCallback(() => store.get(messageId), [store, messageId]);
  const reactors = useSyncExternalStore(store.subscribe, get, get);
  const load = useCallback(
    () => store.load(messageId, loader ?? fromServer(client)),
    [store, messageId, loader, client],
  );
  return { reactors, load };
}
