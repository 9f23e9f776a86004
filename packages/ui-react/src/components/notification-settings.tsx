import { useId } from 'react';
import { replaceable } from '../context/components';
import { useStrings } from '../context/ui-context';
import { useLazyModule } from '../hooks/use-lazy-module';
import { lazyModule } from '../lazy-module';

export interface NotificationSettingsProps {
  /**
   * The channel whose own level (and mute) is shown; default: the channel selected in `<Chat>`.
   * `null` leaves the channel section out.
   */
  cid?: string | null;
  /** Shows a close button that calls this (in a dialog or a side panel). */
  onClose?(): void;
}

type BodyModule = typeof import('./notification-settings-body');
// One load per page; not in the first load of a chat screen.
const body = lazyModule<BodyModule>(() => import('./notification-settings-body'));

/**
 * A user's notification settings: what they are notified about, do-not-disturb, and the channel's
 * own level and mute. The panel shows at once; its controls load the first time one is shown.
 */
function DefaultNotificationSettings({ cid, onClose }: NotificationSettingsProps) {
  const t = useStrings();
  const id = useId();
  const loaded = useLazyModule(body);
  const Body = loaded.status === 'ready' ? loaded.module.NotificationSettingsBody : null;

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

      {Body ? (
        <Body cid={cid} id={id} />
      ) : loaded.status === 'failed' ? (
        <p className="chat-notification-settings__error" role="alert">
          {t('notifications.loadFailed')}{' '}
          <button type="button" className="chat-button" onClick={loaded.retry}>
            {t('notifications.retry')}
          </button>
        </p>
      ) : (
        <p className="chat-notification-settings__status" role="status">
          {t('notifications.loading')}
        </p>
      )}
    </section>
  );
}

export { DefaultNotificationSettings };
export const NotificationSettings = replaceable('NotificationSettings', DefaultNotificationSettings);
