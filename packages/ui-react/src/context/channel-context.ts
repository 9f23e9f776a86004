import type { Channel, LocalMessage, SendMessageInput } from '@chat/core';
import { createContext, useContext } from 'react';

/** The channel `<Channel>` shows; a stable handle, so reading it never re-renders. */
export const ActiveChannelContext = createContext<Channel | null>(null);

/**
 * What a message or an input can do in the active channel. The functions keep their identity
 * for the life of the channel, so memoized rows do not re-render when the list does.
 * Writes never throw here: a failed send shows on the message (`failed`, with retry/discard).
 */
export interface ChannelActions {
  send(input: SendMessageInput): void;
  edit(id: string, text: string): void;
  remove(id: string): void;
  retry(id: string): void;
  discard(id: string): void;
  react(id: string, type: string): void;
  unreact(id: string, type: string): void;
  /** Fills the input of the message's scope (channel or thread) with it, to edit. */
  startEdit(message: LocalMessage): void;
  /** Quotes the message in the input of its scope. */
  startQuote(message: LocalMessage): void;
  /** Leaves edit and quote mode. */
  cancelCompose(): void;
  openThread(parentId: string): void;
  closeThread(): void;
}

/** Edit / quote mode and the open thread: what the inputs and the thread panel follow. */
export interface ComposerState {
  readonly editing: LocalMessage | null;
  readonly quoting: LocalMessage | null;
  readonly threadId: string | null;
}

export const ChannelActionsContext = createContext<ChannelActions | null>(null);
export const ComposerContext = createContext<ComposerState>({ editing: null, quoting: null, threadId: null });

/** The active channel; `component` names the caller in the error thrown outside `<Channel>`. */
export function useActiveChannel(component: string): Channel {
  const channel = useContext(ActiveChannelContext);
  if (!channel) throw new Error(`@chat/ui-react: <${component}> must be rendered inside <Channel>`);
  return channel;
}

export function useChannelActions(component: string): ChannelActions {
  const actions = useContext(ChannelActionsContext);
  if (!actions) throw new Error(`@chat/ui-react: <${component}> must be rendered inside <Channel>`);
  return actions;
}

export function useComposer(): ComposerState {
  return useContext(ComposerContext);
}

/** Where a message's input lives: its thread, or the channel (`null`). */
export const scopeOf = (message: { parent_id: string | null }) => message.parent_id ?? null;
