import { replaceable } from '../context/components';
import { lazyComponent } from './lazy-component';

export interface NotificationSettingsProps {
  /**
   * The channel whose own level (and mute) is shown; default: the channel selected in `<Chat>`.
   * `null` leaves the channel section out.
   */
  cid?: string | null;
  /** Shows a close button that calls this (in a dialog or a side panel). */
  onClose?(): void;
}

/**
 * A user's notification settings: what they are notified about, do-not-disturb, and the channel's
 * own level and mute (see notification-settings-body.tsx). Its code loads the first time the
 * panel shows: one load per page, not in the first load of a chat screen.
 */
const DefaultNotificationSettings = lazyComponent<NotificationSettingsProps>(() =>
  import('./notification-settings-body').then((m) => m.NotificationSettingsPanel),
);

export { DefaultNotificationSettings };
export const NotificationSettings = replaceable('NotificationSettings', DefaultNotificationSettings);
