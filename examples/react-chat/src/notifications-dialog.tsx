import { BlockedUsers, NotificationSettings } from '@chat/ui-react';
import { type KeyboardEvent, useEffect, useRef } from 'react';

/**
 * The kit's `<NotificationSettings>` in a modal dialog: the level, do-not-disturb and the open
 * channel's own level and mute; below them `<BlockedUsers>`, where a block is undone. Escape or
 * the close button closes it, and focus goes back to whatever opened it.
 */
export function NotificationsDialog({ onClose }: { onClose(): void }) {
  const body = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    body.current?.querySelector<HTMLElement>('button, input:not(:disabled)')?.focus();
    return () => opener?.focus();
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') onClose();
  };

  return (
    <div
      className="app-dialog"
      role="dialog"
      aria-modal="true"
      aria-label="Notification settings"
      data-testid="app-notifications-dialog"
      onKeyDown={onKeyDown}
    >
      <div className="app-dialog__panel" ref={body}>
        <NotificationSettings onClose={onClose} />
        <BlockedUsers />
      </div>
    </div>
  );
}
