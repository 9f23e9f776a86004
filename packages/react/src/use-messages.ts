import type { Channel, ChannelSnapshot, LocalMessage, SendMessageInput } from '@chat/core';
import { useMemo } from 'react';
import type { Message } from './core-types';
import { useStore } from './use-store';

/** What `useMessages` returns: the channel's top-level messages and the actions on them. */
export interface MessagesResult {
  /** Oldest first; the user's unsent messages come last with status `sending` or `failed`. */
  messages: readonly LocalMessage[];
  /** Whether older messages may exist on the server (`state.hasOlder`). */
  hasMore: boolean;
  /**
   * After `jumpTo`, whether newer messages than the last shown exist (`state.hasNewer`): the list
   * is a window of the past; `loadNewer` pages forward, `jumpToLatest` goes back.
   */
  hasNewer: boolean;
  /** The channel is being loaded or resumed. */
  loading: boolean;
  /** Loads a page older than the oldest shown; resolves with whether more exist. */
  loadOlder(limit?: number): Promise<boolean>;
  /** In a window of the past, loads a newer page; resolves with whether more exist. */
  loadNewer(limit?: number): Promise<boolean>;
  /** Shows a message with the ones around it (a quoted message, a search hit, the first unread). */
  jumpTo(messageId: string): Promise<void>;
  /** Back to the newest messages. */
  jumpToLatest(): Promise<void>;
  /** Sends a message; it shows at once as `sending`. */
  send(input: SendMessageInput): Promise<LocalMessage>;
  edit(id: string, text: string): Promise<Message>;
  remove(id: string): Promise<Message>;
  /** Sends a `failed` message again, or a waiting one at once (same `client_msg_id`, so never stored twice). */
  retry(id: string): Promise<LocalMessage>;
  /** Drops a `failed` message without sending it. */
  discard(id: string): void;
  react(id: string, type: string): Promise<Message>;
  unreact(id: string, type: string): Promise<Message>;
}

const selectMessages = (s: ChannelSnapshot) => s.messages;
const selectHasOlder = (s: ChannelSnapshot) => s.hasOlder;
const selectHasNewer = (s: ChannelSnapshot) => s.hasNewer;
const selectLoading = (s: ChannelSnapshot) => s.loading;

/**
 * The messages of a channel (e.g. from `useChannel`) and the actions on them, each the channel's
 * own method. Re-renders when the messages, `hasMore`, `hasNewer` or `loading` change, not on typing or
 * read receipts. The actions keep their identity while the channel stays the same.
 *
 * @example
 * const { messages, hasMore, loadOlder, send } = useMessages(channel);
 * <button disabled={!hasMore} onClick={() => loadOlder()}>Older</button>
 * <Composer onSubmit={(text) => send({ text })} />
 */
export function useMessages(channel: Channel): MessagesResult {
  const messages = useStore(channel.state, selectMessages);
  const hasMore = useStore(channel.state, selectHasOlder);
  const hasNewer = useStore(channel.state, selectHasNewer);
  const loading = useStore(channel.state, selectLoading);
  const actions = useMemo(
    () => ({
      loadOlder: (limit?: number) => channel.loadOlder(limit === undefined ? {} : { limit }),
      loadNewer: (limit?: number) => channel.loadNewer(limit === undefined ? {} : { limit }),
      jumpTo: (messageId: string) => channel.jumpTo(messageId),
      jumpToLatest: () => channel.jumpToLatest(),
      send: (input: SendMessageInput) => channel.sendMessage(input),
      edit: (id: string, text: string) => channel.updateMessage(id, { text }),
      remove: (id: string) => channel.deleteMessage(id),
      retry: (id: string) => channel.retryMessage(id),
      discard: (id: string) => channel.discardMessage(id),
      react: (id: string, type: string) => channel.sendReaction(id, type),
      unreact: (id: string, type: string) => channel.deleteReaction(id, type),
    }),
    [channel],
  );
  return useMemo(
    () => ({ messages, hasMore, hasNewer, loading, ...actions }),
    [messages, hasMore, hasNewer, loading, actions],
  );
}
