import type { Message } from '@chat/core';
import { moderationOf } from '@chat/core/moderation';
import { useChat } from '@chat/react';
import { useCallback, useEffect, useId, useState } from 'react';
import { jumpToMessage } from '../../context/jump-target';
import { useChatLayout } from '../../context/layout-context';
import { useChannelSelection } from '../../context/selection-context';
import { useStrings } from '../../context/ui-context';
import { loadModerationStrings } from '../../i18n/moderation-strings';
import { displayName, timeOfDay } from '../../text/format';

// This part's strings come with its code.
loadModerationStrings();

export interface PinnedMessagesProps {
  /** The channel (`type:id`); default: the one selected in `<Chat>`. */
  cid?: string;
  /** Pins asked for per page. Default 20. */
  pageSize?: number;
  /** Shows a close button that calls this. */
  onClose?(): void;
  /** Called with the pin chosen, after the list was asked to show it. */
  onSelect?(message: Message): void;
}

type Pins =
  | { status: 'loading' }
  | { status: 'failed' }
  | { status: 'ready'; messages: Message[]; cursor: string | null; more: 'idle' | 'loading' | 'failed' };

/**
 * A channel's pinned messages, newest pin first, with who pinned them and when; "Load more"
 * pages back. Choosing one shows it in the channel's message list (`jumpToMessage`: loaded around
 * it when far back, highlighted).
 */
export function PinnedMessages({ cid, pageSize = 20, onClose, onSelect }: PinnedMessagesProps) {
  const t = useStrings();
  const { client } = useChat();
  const { activeCid } = useChannelSelection();
  const layout = useChatLayout();
  const shown = cid ?? activeCid;
  const [pins, setPins] = useState<Pins>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const titleId = useId();
  const channel = shown ? client.channels.byCid(shown) : null;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the retry trigger
  useEffect(() => {
    if (!channel) return;
    let live = true;
    setPins({ status: 'loading' });
    moderationOf(client)
      .pinnedMessages(channel, { limit: pageSize })
      .then(
        ({ messages, next_cursor }) =>
          live && setPins({ status: 'ready', messages, cursor: next_cursor, more: 'idle' }),
        () => live && setPins({ status: 'failed' }),
      );
    return () => {
      live = false;
    };
  }, [client, channel, pageSize, attempt]);

  const loadMore = useCallback(() => {
    if (!channel || pins.status !== 'ready' || !pins.cursor) return;
    const cursor = pins.cursor;
    setPins({ ...pins, more: 'loading' });
    moderationOf(client)
      .pinnedMessages(channel, { limit: pageSize, cursor })
      .then(
        ({ messages, next_cursor }) =>
          setPins((p) =>
            p.status === 'ready'
              ? { status: 'ready', messages: [...p.messages, ...messages], cursor: next_cursor, more: 'idle' }
              : p,
          ),
        () => setPins((p) => (p.status === 'ready' ? { ...p, more: 'failed' } : p)),
      );
  }, [client, channel, pageSize, pins]);

  const authorOf = (id: string | null) =>
    id ? displayName(channel?.state.getSnapshot().members[id]?.user ?? { id, name: null }) : '';

  return (
    <section className="chat-pinned" aria-labelledby={titleId} data-testid="chat-pinned-messages">
      <header className="chat-pinned__header">
        <h2 id={titleId} className="chat-pinned__title">
          {t('pinned.title')}
        </h2>
        {onClose && (
          <button type="button" className="chat-icon-button" aria-label={t('pinned.close')} onClick={onClose}>
            <span aria-hidden="true">×</span>
          </button>
        )}
      </header>
      {pins.status === 'loading' && (
        <p className="chat-pinned__status" role="status">
          {t('pinned.loading')}
        </p>
      )}
      {pins.status === 'failed' && (
        <p className="chat-pinned__status" role="alert">
          {t('pinned.failed')}{' '}
          <button type="button" className="chat-link-button" onClick={() => setAttempt((n) => n + 1)}>
            {t('pinned.retry')}
          </button>
        </p>
      )}
      {pins.status === 'ready' && pins.messages.length === 0 && (
        <p className="chat-pinned__status" role="status">
          {t('pinned.none')}
        </p>
      )}
      {pins.status === 'ready' && pins.messages.length > 0 && (
        <ul className="chat-pinned__list">
          {pins.messages.map((message) => (
            <li key={message.id}>
              <button
                type="button"
                className="chat-pinned__item"
                data-testid="chat-pinned-message"
                data-message-id={message.id}
                onClick={() => {
                  if (!channel) return;
                  layout?.showChannel();
                  // Shown in the channel's list (a reply: its thread's parent).
                  jumpToMessage(channel, message.parent_id ?? message.id);
                  onSelect?.(message);
                }}
              >
                <span className="chat-pinned__meta">
                  <span className="chat-pinned__author">{displayName(message.user)}</span>
                  <time dateTime={message.created_at}>{timeOfDay(message.created_at, t.locale)}</time>
                </span>
                <span className="chat-pinned__text">{message.text}</span>
                {message.pinned_by && (
                  <span className="chat-pinned__by">
                    {t('pinned.by', { name: authorOf(message.pinned_by) })}
                  </span>
                )}
              </button>
            </li>
          ))}
        </ul>
      )}
      {pins.status === 'ready' && pins.cursor && (
        <button
          type="button"
          className="chat-button"
          disabled={pins.more === 'loading'}
          onClick={loadMore}
          data-testid="chat-pinned-more"
        >
          {t('pinned.more')}
        </button>
      )}
      {pins.status === 'ready' && pins.more === 'failed' && (
        <p className="chat-pinned__status" role="alert">
          {t('pinned.failed')}
        </p>
      )}
    </section>
  );
}
