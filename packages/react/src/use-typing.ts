import type { Channel, ChannelSnapshot, TypingUser } from '@chat/core';
import { useMemo } from 'react';
import { useChatClient } from './chat-context';
import type { User } from './core-types';
import { useStore } from './use-store';

/** What `useTyping` returns: who else is typing, and the two calls an input makes. */
export interface TypingResult {
  /** Other users typing in this scope (the channel, or the thread of `parentId`). */
  typing: readonly TypingUser[];
  /** Call on every keystroke; core throttles what it sends. */
  onKeystroke(): void;
  /** Call on send or blur. */
  stop(): void;
}

const selectTyping = (s: ChannelSnapshot) => s.typing;
const selectUserId = (user: User | undefined) => user?.id;

/**
 * Who else is typing in the channel (or, with `parentId`, in that thread), and the keystroke
 * handler. Re-renders when the channel's typing state changes.
 *
 * @example
 * const { typing, onKeystroke, stop } = useTyping(channel);
 * <input onChange={onKeystroke} onBlur={stop} />
 * {typing.length > 0 && <p>{typing[0].user.name} is typing…</p>}
 */
export function useTyping(channel: Channel, parentId?: string | null): TypingResult {
  const client = useChatClient('useTyping');
  const byUser = useStore(channel.state, selectTyping);
  // `client.userId` is set at `connect`, before the server's user arrives.
  const me = useStore(client.user, selectUserId) ?? client.userId;
  const scope = parentId ?? undefined;
  return useMemo(
    () => ({
      typing: Object.values(byUser).filter((t) => t.user.id !== me && t.parentId === (scope ?? null)),
      onKeystroke: () => channel.startTyping(scope),
      stop: () => channel.stopTyping(scope),
    }),
    [byUser, me, scope, channel],
  );
}
