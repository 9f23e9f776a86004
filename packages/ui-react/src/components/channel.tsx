import type { Channel as ChannelHandle, LocalMessage } from '@chat/core';
import { type MessagesResult, useChannel, useMessages } from '@chat/react';
import { type ReactNode, useMemo, useRef, useState } from 'react';
import {
  ActiveChannelContext,
  type ChannelActions,
  ChannelActionsContext,
  ComposerContext,
  type ComposerState,
} from '../context/channel-context';
import { useChannelSelection } from '../context/selection-context';
import { useStrings } from '../context/ui-context';

export interface ChannelProps {
  /** The channel to show (`type:id`); default: the one selected in `<ChannelList>`. */
  cid?: string;
  /** Shown while no channel is selected. */
  empty?: ReactNode;
  children?: ReactNode;
}

/**
 * Shows one channel: watches it while mounted (`useChannel`, reference-counted) and gives the
 * components inside it (`<MessageList>`, `<MessageInput>`, `<Thread>`, …) the channel, its
 * actions, and the shared edit/quote/thread state.
 *
 * @example
 * <Channel cid="team:general">
 *   <ChannelHeader />
 *   <MessageList />
 *   <MessageInput />
 * </Channel>
 */
export function Channel({ cid, empty, children }: ChannelProps) {
  const { activeCid } = useChannelSelection();
  const t = useStrings();
  const shown = cid ?? activeCid;
  const at = shown?.indexOf(':') ?? -1;
  if (!shown || at < 1) {
    return (
      <div className="chat-channel chat-channel--empty" data-testid="chat-channel-empty">
        {empty ?? <p className="chat-channel__placeholder">{t('channel.none')}</p>}
      </div>
    );
  }
  // Keyed by cid: edit/quote/thread state and scroll position belong to one channel.
  return (
    <WatchedChannel key={shown} type={shown.slice(0, at)} id={shown.slice(at + 1)}>
      {children}
    </WatchedChannel>
  );
}

function WatchedChannel({ type, id, children }: { type: string; id: string; children?: ReactNode }) {
  const { channel } = useChannel(type as ChannelHandle['type'], id);
  const messages = useMessages(channel);
  const [composer, setComposer] = useState<ComposerState>({ editing: null, quoting: null, threadId: null });
  const actions = useStableActions(messages, setComposer);
  return (
    <ActiveChannelContext.Provider value={channel}>
      <ChannelActionsContext.Provider value={actions}>
        <ComposerContext.Provider value={composer}>
          <div className="chat-channel" data-testid="chat-channel" data-cid={channel.cid}>
            {children}
          </div>
        </ComposerContext.Provider>
      </ChannelActionsContext.Provider>
    </ActiveChannelContext.Provider>
  );
}

// A rejected write is already visible in the state (a `failed` message, an undone edit): the
// promise's rejection has nothing left to tell the UI.
const quietly = (promise: Promise<unknown>) => void promise.catch(() => {});

/** Actions with one identity per channel, over the latest `useMessages` result. */
function useStableActions(
  messages: MessagesResult,
  setComposer: (update: (state: ComposerState) => ComposerState) => void,
): ChannelActions {
  const latest = useRef(messages);
  latest.current = messages;
  return useMemo<ChannelActions>(() => {
    const compose = (editing: LocalMessage | null, quoting: LocalMessage | null) =>
      setComposer((s) => ({ ...s, editing, quoting }));
    return {
      send: (input) => quietly(latest.current.send(input)),
      edit: (id, text) => quietly(latest.current.edit(id, text)),
      remove: (id) => quietly(latest.current.remove(id)),
      retry: (id) => quietly(latest.current.retry(id)),
      discard: (id) => latest.current.discard(id),
      react: (id, type) => quietly(latest.current.react(id, type)),
      unreact: (id, type) => quietly(latest.current.unreact(id, type)),
      startEdit: (message) => compose(message, null),
      startQuote: (message) => compose(null, message),
      cancelCompose: () => compose(null, null),
      openThread: (threadId) => setComposer((s) => ({ ...s, threadId })),
      closeThread: () => setComposer((s) => ({ ...s, threadId: null })),
    };
  }, [setComposer]);
}
