import type { ConnectionState } from '@chat/core';
import { injectChatClient } from './chat-context';
import { type StoreRef, useStore } from './use-store';

/**
 * The connection as one value: `{ status, attempt, error? }`.
 *
 * @example
 * const connection = useConnectionState();
 * // <p v-if="connection.status === 'reconnecting'">Reconnecting ({{ connection.attempt }})…</p>
 */
export function useConnectionState(): StoreRef<ConnectionState> {
  return useStore(injectChatClient().connection);
}
