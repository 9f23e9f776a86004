import type { LocalMessage } from '@chat/core';
import { memo } from 'react';
import type { UserRef } from '../../core-types';
import { DateSeparator } from '../date-separator';
import { Message } from '../message';

export interface MessageRowProps {
  message: LocalMessage;
  startsDay: boolean;
  grouped: boolean;
  isOwn: boolean;
  readers: readonly UserRef[] | undefined;
  /** The "new messages" line goes above this message (below its day's separator). */
  unreadLine?: string | undefined;
}

/**
 * What one virtual row shows: the day's separator when it starts a day, the "new messages" line
 * when the unread begin here, then the message.
 * Memoized on primitives and the (structurally shared) message, so a new message re-renders
 * only the rows whose neighbours changed.
 */
export const MessageRow = memo(function MessageRow({
  message,
  startsDay,
  grouped,
  isOwn,
  readers,
  unreadLine,
}: MessageRowProps) {
  return (
    <>
      {startsDay && <DateSeparator date={message.created_at} />}
      {unreadLine && (
        <div className="chat-unread-divider" data-testid="chat-unread-divider">
          <span>{unreadLine}</span>
        </div>
      )}
      <Message message={message} isOwn={isOwn} grouped={grouped} {...(readers && { readers })} />
    </>
  );
});
