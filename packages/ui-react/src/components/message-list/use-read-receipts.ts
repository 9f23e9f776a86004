import type { Channel, ChannelSnapshot } from '@chat/core';
import { useStore } from '@chat/react';
import { useMemo } from 'react';
import type { UserRef } from '../../core-types';

const selectRead = (s: ChannelSnapshot) => s.read;
const selectMembers = (s: ChannelSnapshot) => s.members;

/**
 * Who has read up to which message: for each message id, the other members whose last read
 * message it is. Rows look theirs up; rows without readers share one empty array, so only the
 * rows whose readers changed re-render.
 */
export function useReadReceipts(
  channel: Channel,
  ownUserId: string | undefined,
): ReadonlyMap<string, readonly UserRef[]> {
  const read = useStore(channel.state, selectRead);
  const members = useStore(channel.state, selectMembers);
  return useMemo(() => {
    const byMessage = new Map<string, UserRef[]>();
    for (const [userId, state] of Object.entries(read)) {
      const messageId = state.last_read_message_id;
      const user = members[userId]?.user;
      if (userId === ownUserId || !messageId || !user) continue;
      const readers = byMessage.get(messageId) ?? [];
      readers.push(user);
      byMessage.set(messageId, readers);
    }
    return byMessage;
  }, [read, members, ownUserId]);
}
