import { BlockedUsers, NotificationSettings } from '@chat/ui-react';
import { AppDialog } from './app-dialog';

/**
 * The kit's `<NotificationSettings>` (the level, do-not-disturb, the open channel's own level and
 * mute) in the app's dialog, with `<BlockedUsers>` below, where a block is undone.
 */
export function NotificationsDialog({ onClose }: { onClose(): void }) {
  return (
    <AppDialog label="Notification settings" testId="app-notifications-dialog" onClose={onClose}>
      <NotificationSettings onClose={onClose} />
      <BlockedUsers />
    </AppDialog>
  );
}
