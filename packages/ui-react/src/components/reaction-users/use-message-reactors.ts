import { useChat } from '@chat/react';
import { useCallback, useEffect, useSyncExternalStore } from 'react';
import { type MessageReactors, type ReactionsLoader, reactorsOf } from './reactors-store';

/**
 * Keeps the client's reactors store listening to live reactions while mounted (reference
 * counted): mounted by every message, also those with no reaction yet, so the first reaction
 * seen live is named too.
 */
export function useWatchReactors(): void {
  const { client } = useChat();
  useEffect(() => reactorsOf(client).watch(), [client]);
}

/**
 * Who is known to have reacted to a message, live, and `load()` to ask `loader` (once per
 * message and client, cached; nothing happens without a loader).
 */
export function useMessageReactors(
  messageId: string,
  loader: ReactionsLoader | undefined,
): { reactors: MessageReactors; load(): void } {
  const { client } = useChat();
  const store = reactorsOf(client);
  const get = useCallback(() => store.get(messageId), [store, messageId]);
  const reactors = useSyncExternalStore(store.subscribe, get, get);
  const load = useCallback(() => {
    if (loader) store.load(messageId, loader);
  }, [store, messageId, loader]);
  return { reactors, load };
}
