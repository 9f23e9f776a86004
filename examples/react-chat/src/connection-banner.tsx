import { useConnectionState } from '@chat/react';

const MESSAGES: Record<string, string | undefined> = {
  connecting: 'Connecting…',
  reconnecting: 'Connection lost. Reconnecting…',
  offline: 'You are offline. Messages you send will go out when you are back.',
  disconnected: 'Disconnected.',
};

/** Says when the chat is not live, and why; nothing while connected. */
export function ConnectionBanner() {
  const { status, attempt, error } = useConnectionState();
  const message = MESSAGES[status];
  if (!message) return null;
  return (
    <div className="app-banner" role="status" data-testid="app-connection-banner" data-status={status}>
      {message}
      {status === 'reconnecting' && attempt > 1 && ` (attempt ${attempt})`}
      {error && status === 'disconnected' && ` ${error.message}`}
    </div>
  );
}
