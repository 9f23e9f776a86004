import type { PresenceMap } from '@chat/core';
import { useCallback } from 'react';
import { useChatClient } from './chat-context';
import { useStore } from './use-store';

/**
 * Whether `userId` is online, as far as this client has heard (`false` when it has not heard).
 * Re-renders only when that user's presence changes.
 *
 * @example
 * const online = usePresence(message.user_id);
 * return <span className={online ? 'dot online' : 'dot'} />;
 */
export function usePresence(userId: string): boolean {
  const client = useChatClient('usePresence');
  const select = useCallback((presence: PresenceMap) => presence[userId] === true, [userId]);
  return useStore(client.users.presence, select);
}
