import type { LocalMessage } from '@chat/core';
import { useChannelActions } from '../context/channel-context';
import { replaceable } from '../context/components';
import { useStrings } from '../context/ui-context';

export interface MessageStatusProps {
  message: LocalMessage;
}

/** Where the user's own message is: sending, sent, or failed with Retry and Discard. */
function DefaultMessageStatus({ message }: MessageStatusProps) {
  const t = useStrings();
  const { retry, discard } = useChannelActions('MessageStatus');
  if (message.status === 'failed') {
    return (
      <span
        className="chat-message-status chat-message-status--failed"
        data-testid="chat-message-status"
        data-status="failed"
      >
        <span role="alert">{t('message.failed')}</span>{' '}
        <button
          type="button"
          className="chat-link-button"
          data-testid="chat-retry"
          onClick={() => retry(message.id)}
        >
          {t('message.retry')}
        </button>{' '}
        <button
          type="button"
          className="chat-link-button"
          data-testid="chat-discard"
          onClick={() => discard(message.id)}
        >
          {t('message.discard')}
        </button>
      </span>
    );
  }
  const sending = message.status === 'sending';
  return (
    <span
      className={`chat-message-status chat-message-status--${message.status}`}
      data-testid="chat-message-status"
      data-status={message.status}
      title={t(sending ? 'message.sending' : 'message.sent')}
    >
      <span aria-hidden="true">{sending ? '◷' : '✓'}</span>
      <span className="chat-visually-hidden">{t(sending ? 'message.sending' : 'message.sent')}</span>
    </span>
  );
}

export { DefaultMessageStatus };
export const MessageStatus = replaceable('MessageStatus', DefaultMessageStatus);
