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
}

/**
 * What one virtual row shows: the day's separator when it starts a day, then the message.
 * Memoized on primitives and the (structurally shared) message, so a new message re-renders
 * only the rows whose neighbours changed.
 */
export const MessageRow = memo(function MessageRow({
  message,
  startsDay,
  grouped,
  isOwn,
  readers,
}: MessageRowProps) {
  return (
    <>
      {startsDay && <DateSeparator date={message.created_at} />}
      <Message message={message} isOwn={isOwn} grouped={grouped} {...(readers && { readers })} />
    </>
  );
});
