import { moderationOf } from '@chat/core/moderation';
import { useChat, useStore } from '@chat/react';
import { useEffect, useId, useState } from 'react';
import { blockedAuthorsOf } from '../../context/blocked-authors';
import { useStrings } from '../../context/ui-context';
import { loadModerationStrings } from '../../i18n/moderation-strings';
import { displayName } from '../../text/format';
import { reasonOf } from './modal';

// This part's strings come with its code.
loadModerationStrings();

export interface BlockedUsersProps {
  /** Shows a close button that calls this. */
  onClose?(): void;
}

/**
 * The users the connected user blocked, most recent first, each with "Unblock": where a block is
 * undone (a blocked user's messages are hidden, so their menu is rarely at hand). Unblocking
 * shows their messages again, and the server sends their next ones.
 */
export function BlockedUsers({ onClose }: BlockedUsersProps) {
  const t = useStrings();
  const { client } = useChat();
  const moderation = moderationOf(client);
  const { blocks, loading, error } = useStore(moderation.blocked);
  const [failed, setFailed] = useState<string | null>(null);
  const titleId = useId();
  useEffect(() => {
    moderation.loadBlocked().catch(() => {});
  }, [moderation]);

  const unblock = (userId: string) => {
    setFailed(null);
    moderation.unblock(userId).then(
      () => {
        const hidden = blockedAuthorsOf(client);
        const next = new Set(hidden.getSnapshot());
        next.delete(userId);
        hidden.setState(next);
      },
      (cause: unknown) => setFailed(t('moderation.failed', { reason: reasonOf(cause) })),
    );
  };

  return (
    <section className="chat-review" aria-labelledby={titleId} data-testid="chat-blocked-users">
      <header className="chat-pinned__header">
        <h2 id={titleId} className="chat-pinned__title">
          {t('blocked.title')}
        </h2>
        {onClose && (
          <button
            type="button"
            className="chat-icon-button"
            aria-label={t('blocked.close')}
            onClick={onClose}
          >
            <span aria-hidden="true">×</span>
          </button>
        )}
      </header>
      <p className="chat-pinned__status" role="status">
        {blocks === null && loading ? t('blocked.loading') : blocks?.length === 0 ? t('blocked.none') : ''}
      </p>
      {(failed || (error && blocks === null)) && (
        <p className="chat-pinned__status" role="alert">
          {failed ?? t('blocked.failed')}
        </p>
      )}
      {blocks && blocks.length > 0 && (
        <ul className="chat-review__list">
          {blocks.map(({ user }) => (
            <li key={user.id} className="chat-review__item" data-testid="chat-blocked-user">
              <span>{displayName(user)}</span>{' '}
              <button
                type="button"
                className="chat-button"
                aria-label={t('blocked.unblock', { name: displayName(user) })}
                onClick={() => unblock(user.id)}
              >
                {t('blocked.unblockShort')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
