import { useThread } from '@chat/react';
import { type KeyboardEvent, useEffect, useRef } from 'react';
import { useActiveChannel, useChannelActions, useComposer } from '../context/channel-context';
import { replaceable } from '../context/components';
import { useStrings } from '../context/ui-context';
import { useOwnUserId } from '../hooks/use-own-user-id';
import { useWithoutBlocked } from '../hooks/use-without-blocked';
import { Message } from './message';
import { MessageInput } from './message-input/message-input';
import { TypingIndicator } from './typing-indicator';

export interface ThreadProps {
  /** The thread to show; default: the one opened from a message ("N replies", "Reply in thread"). */
  parentId?: string;
}

/**
 * The open thread, as a side panel: the parent message, its replies (live), who is typing there,
 * and an input that replies in the thread. Escape or the close button closes it. Renders nothing
 * while no thread is open.
 */
function DefaultThread({ parentId }: ThreadProps) {
  const { threadId } = useComposer();
  const shown = parentId ?? threadId;
  return shown ? <OpenThread key={shown} parentId={shown} /> : null;
}

function OpenThread({ parentId }: { parentId: string }) {
  const t = useStrings();
  const channel = useActiveChannel('Thread');
  const { closeThread } = useChannelActions('Thread');
  const { parent, replies: all } = useThread(channel, parentId);
  const replies = useWithoutBlocked(all);
  const ownUserId = useOwnUserId();
  const end = useRef<HTMLDivElement>(null);
  // Threads are short: plain DOM, kept scrolled to the newest reply (as the count grows).
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when a reply arrives
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'nearest' });
  }, [replies.length]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && !event.defaultPrevented) closeThread();
  };

  return (
    <aside
      className="chat-thread"
      aria-label={t('thread.label')}
      data-testid="chat-thread"
      data-parent-id={parentId}
      onKeyDown={onKeyDown}
    >
      <header className="chat-thread__header">
        <h3 className="chat-thread__title">{t('thread.label')}</h3>
        <button
          type="button"
          className="chat-icon-button"
          aria-label={t('thread.close')}
          data-testid="chat-thread-close"
          onClick={closeThread}
        >
          <span aria-hidden="true">×</span>
        </button>
      </header>
      <div className="chat-thread__body">
        {parent ? (
          <div className="chat-thread__parent">
            <Message message={parent} isOwn={parent.user_id === ownUserId} inThread />
          </div>
        ) : (
          <p className="chat-thread__missing">{t('thread.missingParent')}</p>
        )}
        <div
          className="chat-thread__replies"
          role="log"
          aria-label={t('thread.repliesLabel')}
          data-testid="chat-thread-replies-list"
        >
          {replies.map((reply) => (
            <div
              key={reply.client_msg_id ?? reply.id}
              className="chat-thread__reply"
              data-message-id={reply.id}
            >
              <Message message={reply} isOwn={reply.user_id === ownUserId} inThread />
            </div>
          ))}
          <div ref={end} />
        </div>
      </div>
      <TypingIndicator parentId={parentId} />
      <MessageInput parentId={parentId} autoFocus />
    </aside>
  );
}

export { DefaultThread };
export const Thread = replaceable('Thread', DefaultThread);
