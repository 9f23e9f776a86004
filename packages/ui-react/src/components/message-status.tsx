import type { LocalMessage, QueueItem } from '@chat/core';
import { useStore } from '@chat/react';
import { useCallback } from 'react';
import { useActiveChannel, useChannelActions } from '../context/channel-context';
import { replaceable } from '../context/components';
import { useStrings } from '../context/ui-context';

export interface MessageStatusProps {
  message: LocalMessage;
}

/**
 * Whether the queued send of `clientMsgId` waits to retry: it, or a write of the channel queued
 * before it (which it may not overtake), failed with a retryable error and waits for its time.
 */
export function waitsToRetry(items: readonly QueueItem[], clientMsgId: string | null): boolean {
  let held = false;
  for (const item of items) {
    held ||= item.status === 'pending' && item.retry_at !== undefined;
    if (item.op.type === 'message.send' && item.op.message.client_msg_id === clientMsgId) return held;
  }
  return false;
}

/**
 * Where the user's own message is: sending, waiting to retry with Retry now, sent, or failed
 * with Retry and Discard.
 */
function DefaultMessageStatus({ message }: MessageStatusProps) {
  if (message.status === 'failed') return <FailedStatus message={message} />;
  // Only an unsent message watches the queue.
  if (message.status === 'sending') return <SendingStatus message={message} />;
  return <StatusMark status="sent" />;
}

function FailedStatus({ message }: MessageStatusProps) {
  const t = useStrings();
  const { retry, discard } = useChannelActions('MessageStatus');
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

/** In flight, or, after a retryable failure (an outage, a rate limit), waiting for its retry time. */
function SendingStatus({ message }: MessageStatusProps) {
  const t = useStrings();
  const { retry } = useChannelActions('MessageStatus');
  const channel = useActiveChannel('MessageStatus');
  const clientMsgId = message.client_msg_id;
  const selectWaiting = useCallback(
    (items: readonly QueueItem[]) => waitsToRetry(items, clientMsgId),
    [clientMsgId],
  );
  const waiting = useStore(channel.pendingWrites, selectWaiting);
  if (!waiting) return <StatusMark status="sending" />;
  return (
    <span
      className="chat-message-status chat-message-status--waiting"
      data-testid="chat-message-status"
      data-status="waiting"
    >
      <span role="status">{t('message.waiting')}</span>{' '}
      <button
        type="button"
        className="chat-link-button"
        data-testid="chat-retry-now"
        onClick={() => retry(message.id)}
      >
        {t('message.retryNow')}
      </button>
    </span>
  );
}

function StatusMark({ status }: { status: 'sending' | 'sent' }) {
  const t = useStrings();
  const label = t(status === 'sending' ? 'message.sending' : 'message.sent');
  return (
    <span
      className={`chat-message-status chat-message-status--${status}`}
      data-testid="chat-message-status"
      data-status={status}
      title={label}
    >
      <span aria-hidden="true">{status === 'sending' ? '◷' : '✓'}</span>
      <span className="chat-visually-hidden">{label}</span>
    </span>
  );
}

export { DefaultMessageStatus };
export const MessageStatus = replaceable('MessageStatus', DefaultMessageStatus);
