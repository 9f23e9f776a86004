import { moderationOf, type ReviewActionBody, type ReviewItemsResponse } from '@chat/core/moderation';
import { useChat } from '@chat/react';
import { useEffect, useId, useState } from 'react';
import { useStrings } from '../../context/ui-context';
import { loadModerationStrings } from '../../i18n/moderation-strings';
import { displayName, timeOfDay } from '../../text/format';
import { reasonOf } from './modal';

// This part's strings come with its code.
loadModerationStrings();

export interface ReviewQueueProps {
  /** Items asked for per page. Default 20. */
  pageSize?: number;
  /** Shows a close button that calls this. */
  onClose?(): void;
}

type Item = ReviewItemsResponse['items'][number];
type Action = 'dismiss' | 'delete_message' | 'ban_from_app';

type Queue =
  | { status: 'loading' }
  | { status: 'failed' }
  | { status: 'ready'; items: Item[]; cursor: string | null };

/**
 * The reports waiting for a reviewer (app admins: the whole app; channel moderators: their
 * channels), newest report first: the message and its author, how many reported it and why.
 * Dismiss, Delete message, or Ban from app (asked first); an item acted on leaves the list, with
 * a line saying what was done. The server decides who may review and act.
 */
export function ReviewQueue({ pageSize = 20, onClose }: ReviewQueueProps) {
  const t = useStrings();
  const { client } = useChat();
  const [queue, setQueue] = useState<Queue>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [done, setDone] = useState('');
  const titleId = useId();

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the retry trigger
  useEffect(() => {
    let live = true;
    if (!cursor) setQueue({ status: 'loading' });
    moderationOf(client)
      .reviewQueue({ status: 'pending', limit: pageSize, ...(cursor && { cursor }) })
      .then(
        ({ items, next_cursor }) =>
          live &&
          setQueue((q) => ({
            status: 'ready',
            items: cursor && q.status === 'ready' ? [...q.items, ...items] : items,
            cursor: next_cursor,
          })),
        () => live && setQueue({ status: 'failed' }),
      );
    return () => {
      live = false;
    };
  }, [client, pageSize, cursor, attempt]);

  const resolved = (item: Item, action: Action) => {
    setQueue((q) => (q.status === 'ready' ? { ...q, items: q.items.filter((i) => i.id !== item.id) } : q));
    setDone(t(`review.done.${action}`, { name: displayName(item.user ?? { id: '', name: null }) }));
  };

  return (
    <section className="chat-review" aria-labelledby={titleId} data-testid="chat-review-queue">
      <header className="chat-pinned__header">
        <h2 id={titleId} className="chat-pinned__title">
          {t('review.title')}
        </h2>
        {onClose && (
          <button type="button" className="chat-icon-button" aria-label={t('review.close')} onClick={onClose}>
            <span aria-hidden="true">×</span>
          </button>
        )}
      </header>
      <p className="chat-pinned__status" role="status">
        {queue.status === 'loading'
          ? t('review.loading')
          : [done, queue.status === 'ready' && queue.items.length === 0 ? t('review.none') : '']
              .filter(Boolean)
              .join(' ')}
      </p>
      {queue.status === 'failed' && (
        <p className="chat-pinned__status" role="alert">
          {t('review.failed')}{' '}
          <button type="button" className="chat-link-button" onClick={() => setAttempt((n) => n + 1)}>
            {t('review.retry')}
          </button>
        </p>
      )}
      {queue.status === 'ready' && queue.items.length > 0 && (
        <ul className="chat-review__list">
          {queue.items.map((item) => (
            <ReviewEntry key={item.id} item={item} onResolved={resolved} />
          ))}
        </ul>
      )}
      {queue.status === 'ready' && queue.cursor && (
        <button
          type="button"
          className="chat-button"
          onClick={() => setCursor(queue.cursor ?? undefined)}
          data-testid="chat-review-more"
        >
          {t('review.more')}
        </button>
      )}
    </section>
  );
}

function ReviewEntry({ item, onResolved }: { item: Item; onResolved(item: Item, action: Action): void }) {
  const t = useStrings();
  const { client } = useChat();
  const [busy, setBusy] = useState(false);
  const [confirmBan, setConfirmBan] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const name = displayName(item.user ?? { id: '', name: null });
  const act = (action: Action) => {
    setBusy(true);
    setError(null);
    const body: ReviewActionBody = { action };
    moderationOf(client)
      .act(item.id, body)
      .then(
        () => onResolved(item, action),
        (cause: unknown) => {
          setBusy(false);
          setError(t('moderation.failed', { reason: reasonOf(cause) }));
        },
      );
  };
  const canDelete = item.message !== null && !item.message.deleted;
  return (
    <li className="chat-review__item" data-testid="chat-review-item" data-item-id={item.id}>
      <p className="chat-pinned__meta">
        <span className="chat-pinned__author">
          {item.target_kind === 'message' ? t('review.message', { name }) : t('review.user', { name })}
        </span>
        {item.cid && <span>{t('review.in', { channel: item.cid })}</span>}
        <time dateTime={item.last_reported_at}>{timeOfDay(item.last_reported_at, t.locale)}</time>
      </p>
      {item.message && (
        <p className="chat-review__text" data-testid="chat-review-text">
          {item.message.deleted ? t('review.deleted') : item.message.text}
        </p>
      )}
      <p className="chat-pinned__meta">
        <span data-testid="chat-review-count" data-count={item.report_count}>
          {t.plural('review.count', item.report_count)}
        </span>
        <span>{t('review.reasons', { reasons: item.reasons.join(', ') })}</span>
      </p>
      {confirmBan ? (
        <div className="chat-review__actions">
          <span>{t('review.banConfirm', { name })}</span>
          <button type="button" className="chat-button" disabled={busy} onClick={() => setConfirmBan(false)}>
            {t('moderation.cancel')}
          </button>
          <button
            type="button"
            className="chat-button chat-button--danger"
            disabled={busy}
            onClick={() => act('ban_from_app')}
          >
            {t('review.ban')}
          </button>
        </div>
      ) : (
        <div className="chat-review__actions">
          <button type="button" className="chat-button" disabled={busy} onClick={() => act('dismiss')}>
            {t('review.dismiss')}
          </button>
          {canDelete && (
            <button
              type="button"
              className="chat-button chat-button--danger"
              disabled={busy}
              onClick={() => act('delete_message')}
            >
              {t('review.delete')}
            </button>
          )}
          {item.user && (
            <button
              type="button"
              className="chat-button chat-button--danger"
              disabled={busy}
              onClick={() => setConfirmBan(true)}
            >
              {t('review.ban')}
            </button>
          )}
        </div>
      )}
      {error && (
        <p className="chat-modal__error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
