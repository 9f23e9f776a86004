import type { LocalMessage } from '@chat/core';
import { useChat, useStore } from '@chat/react';
import { useMemo } from 'react';
import { blockedAuthorsOf } from '../context/blocked-authors';

/** `messages` without those of users blocked in this page (the same array when there are none). */
export function useWithoutBlocked(messages: readonly LocalMessage[]): readonly LocalMessage[] {
  const blocked = useStore(blockedAuthorsOf(useChat().client));
  return useMemo(
    () => (blocked.size ? messages.filter((m) => !blocked.has(m.user_id)) : messages),
    [messages, blocked],
  );
}
