import { useId } from 'react';
import { replaceable } from '../context/components';
import { useStrings } from '../context/ui-context';
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

// One load per page; not in the first load of a chat screen.
const Body = lazyComponent(() =>
  import('./notification-settings-body').then((m) => m.NotificationSettingsBody),
);

/**
 * A user's notification settings: what they are notified about, do-not-disturb, and the channel's
 * own level and mute. The panel shows at once; its controls load the first time one is shown.
 */
function DefaultNotificationSettings({ cid, onClose }: NotificationSettingsProps) {
  const t = useStrings();
  const id = useId();

  return (
    <section
      className="chat-notification-settings"
      aria-labelledby={`${id}-title`}
      data-testid="chat-notification-settings"
    >
      <header className="chat-notification-settings__header">
        <h2 id={`${id}-title`} className="chat-notification-settings__title">
          {t('notifications.title')}
        </h2>
        {onClose && (
          <button
            type="button"
            className="chat-icon-button"
            aria-label={t('notifications.close')}
            data-testid="chat-notification-settings-close"
            onClick={onClose}
          >
            <span aria-hidden="true">×</span>
          </button>
        )}
      </header>

      <Body cid={cid} id={id} />
    </section>
  );
}

export { DefaultNotificationSettings };
export const NotificationSettings = replaceable('NotificationSettings', DefaultNotificationSettings);
