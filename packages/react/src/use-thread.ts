import type { Channel, ChannelSnapshot, LocalMessage, SendMessageInput } from '@chat/core';
import { useCallback, useMemo } from 'react';
import { useLoadOnce } from './use-load-once';
import { useStore } from './use-store';

/** What `useThread` returns: the parent message, its replies, and a send into the thread. */
export interface ThreadResult {
  /** The parent among the channel's loaded top-level messages; `undefined` if not loaded. */
  parent: LocalMessage | undefined;
  /** Replies, oldest first; live. */
  replies: readonly LocalMessage[];
  /** Sends a reply in this thread. */
  send(input: Omit<SendMessageInput, 'parentId'>): Promise<LocalMessage>;
}

// One empty array for every thread without replies, so the selection keeps its identity.
const NO_REPLIES: readonly LocalMessage[] = [];

/**
 * A thread of `channel`: its replies load on mount and when `parentId` changes, then stay live.
 *
 * @example
 * const { parent, replies, send } = useThread(channel, message.id);
 * <Composer onSubmit={(text) => send({ text })} />
 */
export function useThread(channel: Channel, parentId: string): ThreadResult {
  const selectParent = useCallback(
    (s: ChannelSnapshot) => s.messages.find((m) => m.id === parentId),
    [parentId],
  );
  const selectReplies = useCallback((s: ChannelSnapshot) => s.threads[parentId] ?? NO_REPLIES, [parentId]);
  const parent = useStore(channel.state, selectParent);
  const replies = useStore(channel.state, selectReplies);
  // A failed load leaves the replies as they are; the view can still send.
  useLoadOnce(`${channel.cid}\n${parentId}`, () => void channel.getReplies(parentId).catch(() => {}));
  const send = useCallback(
    (input: Omit<SendMessageInput, 'parentId'>) => channel.sendMessage({ ...input, parentId }),
    [channel, parentId],
  );
  return useMemo(() => ({ parent, replies, send }), [parent, replies, send]);
}
