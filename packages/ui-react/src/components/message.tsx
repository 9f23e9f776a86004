import type { ChannelSnapshot, LocalMessage } from '@chat/core';
import { useStore } from '@chat/react';
import { memo, useCallback, useMemo, useState } from 'react';
import { useActiveChannel, useChannelActions } from '../context/channel-context';
import { replaceable } from '../context/components';
import { useStrings } from '../context/ui-context';
import type { UserRef } from '../core-types';
import { displayName, timeOfDay } from '../text/format';
import { Attachments } from './attachments';
import { Avatar } from './avatar';
import { LinkPreviews } from './link-previews';
import { SendingFiles } from './local-files/lazy-local-files';
import { MessageActions } from './message-actions';
import { MessageStatus } from './message-status';
import { MessageText } from './message-text';
import { QuotedMessage } from './quoted-message';
import { Reactions } from './reactions';
import { ReadReceipts } from './read-receipts';

export interface MessageProps {
  message: LocalMessage;
  /** Sent by the connected user: shows the delivery status and the edit/delete actions. */
  isOwn: boolean;
  /** Follows a message of the same author shortly before: no avatar or name line. */
  grouped?: boolean;
  /** Who has read up to this message (see `<ReadReceipts>`). */
  readers?: readonly UserRef[];
  /** Rendered in `<Thread>`: no reply count and no "Reply in thread". */
  inThread?: boolean;
}

const NO_READERS: readonly UserRef[] = [];
const selectMembers = (s: ChannelSnapshot) => s.members;

/**
 * One message: author, time, quote, text, attachments, markers, reactions, replies, status. A
 * system message (someone joined, the channel was frozen, …) is a centered line of its own.
 */
function DefaultMessage(props: MessageProps) {
  const { message } = props;
  const { locale } = useStrings();
  return message.type === 'system' ? (
    <p className="chat-system-message" data-testid="chat-system-message">
      {message.text}{' '}
      <time dateTime={message.created_at} suppressHydrationWarning>
        {timeOfDay(message.created_at, locale)}
      </time>
    </p>
  ) : (
    <UserMessage {...props} />
  );
}

function UserMessage({
  message,
  isOwn,
  grouped = false,
  readers = NO_READERS,
  inThread = false,
}: MessageProps) {
  const t = useStrings();
  const channel = useActiveChannel('Message');
  const { openThread } = useChannelActions('Message');
  const members = useStore(channel.state, selectMembers);
  const mentions = useMemo(
    () => message.mentioned_user_ids.map((id) => displayName(members[id]?.user ?? { id, name: null })),
    [message.mentioned_user_ids, members],
  );
  // Core does not bump a parent's `reply_count` when a reply arrives (the server sends no update
  // of the parent), so a thread that is loaded counts its replies itself.
  const selectReplies = useCallback((s: ChannelSnapshot) => s.threads[message.id]?.length ?? 0, [message.id]);
  const loadedReplies = useStore(channel.state, selectReplies);
  const replyCount = Math.max(message.reply_count, loadedReplies);
  // The quick actions are built when a pointer or focus first comes to the message: a long list
  // scrolled past lays out only the rows, not ten buttons on each (half of a frame's layout).
  const [engaged, setEngaged] = useState(false);
  const engage = engaged ? undefined : () => setEngaged(true);
  const deleted = message.deleted_at !== null || message.type === 'deleted';
  const author = displayName(message.user);
  // Sent, sending or failed (with its retry): beside the time, not on a row of its own.
  const status = isOwn && !deleted ? <MessageStatus message={message} /> : null;
  const className = [
    'chat-message',
    isOwn && 'chat-message--own',
    grouped && 'chat-message--grouped',
    deleted && 'chat-message--deleted',
    message.status !== 'sent' && `chat-message--${message.status}`,
  ]
    .filter(Boolean)
    .join(' ');
  return (
    // Focusable by a tap (not in the tab order): on a touch screen, with no hover, a tap on a
    // message shows its actions.
    <article
      className={className}
      tabIndex={-1}
      data-testid="chat-message"
      data-own={isOwn}
      data-status={message.status}
      onPointerEnter={engage}
      onFocus={engage}
    >
      <div className="chat-message__gutter">{!grouped && <Avatar user={message.user} />}</div>
      <div className="chat-message__body">
        {grouped ? (
          <>
            <span className="chat-visually-hidden">{author}</span>
            {/* Floated before the text: on its first line, not a row of its own. */}
            {status && <span className="chat-message__inline-status">{status}</span>}
          </>
        ) : (
          <div className="chat-message__header">
            <span className="chat-message__author">{author}</span>
            <time className="chat-message__time" dateTime={message.created_at} suppressHydrationWarning>
              {timeOfDay(message.created_at, t.locale)}
            </time>
            {status}
          </div>
        )}
        {!deleted && message.quoted_message && <QuotedMessage quoted={message.quoted_message} />}
        {deleted ? (
          <p className="chat-message__deleted" data-testid="chat-message-deleted">
            {t(message.removed_by_moderator ? 'message.removed' : 'message.deleted')}
          </p>
        ) : (
          <>
            {message.text && <MessageText text={message.text} mentions={mentions} />}
            {message.attachments.length > 0 && <Attachments attachments={message.attachments} />}
            {message.files && <SendingFiles files={message.files} />}
            {!!message.link_previews?.length && (
              <LinkPreviews
                previews={message.link_previews}
                onRemove={
                  isOwn ? (url) => void channel.removeLinkPreview(message.id, url).catch(() => {}) : undefined
                }
              />
            )}
            {message.edited_at && (
              <span className="chat-message__edited" data-testid="chat-message-edited">
                {t('message.edited')}
              </span>
            )}
            {message.pinned && (
              <span className="chat-message__edited" data-testid="chat-message-pinned">
                {t('message.pinned')}
              </span>
            )}
            <Reactions message={message} />
          </>
        )}
        {!inThread && replyCount > 0 && (
          <button
            type="button"
            className="chat-link-button chat-message__replies"
            data-testid="chat-thread-replies"
            data-count={replyCount}
            onClick={() => openThread(message.id)}
          >
            {t.plural('message.replies', replyCount)}
          </button>
        )}
        {readers.length > 0 && (
          <div className="chat-message__footer">
            <ReadReceipts readers={readers} />
          </div>
        )}
      </div>
      {!deleted && message.status === 'sent' && (
        <MessageActions message={message} isOwn={isOwn} inThread={inThread} quick={engaged} />
      )}
    </article>
  );
}

// Rows re-render only when their own message (structurally shared by core) or props change.
const MemoMessage = memo(DefaultMessage);

export { MemoMessage as DefaultMessage };
export const Message = replaceable('Message', MemoMessage);
