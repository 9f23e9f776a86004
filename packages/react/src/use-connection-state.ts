import type { ConnectionState } from '@chat/core';
import { useChatClient } from './chat-context';
import { useStore } from './use-store';

/**
 * The connection as one value: `{ status, attempt, error? }`.
 *
 * @example
 * const { status, attempt } = useConnectionState();
 * if (status === 'reconnecting') return <Banner>Reconnecting (attempt {attempt})…</Banner>;
 */
export function useConnectionState(): ConnectionState {
  return useStore(useChatClient('useConnectionState').connection);
}
