import type { ChatClient } from '@chat/core';
import { createContext, createElement, type ReactElement, type ReactNode, useContext } from 'react';

// `null` by default so a hook can tell "no provider" apart and say so, instead of failing later.
const ChatContext = createContext<ChatClient | null>(null);

export interface ChatProviderProps {
  client: ChatClient;
  children?: ReactNode;
}

/**
 * Makes `client` available to every hook below it. It does not connect: the app calls
 * `client.connect(...)` when it knows the user, so rendering never opens a socket.
 *
 * @example
 * const client = new ChatClient({ apiKey, baseUrl });
 * root.render(<ChatProvider client={client}><App /></ChatProvider>);
 */
export function ChatProvider({ client, children }: ChatProviderProps): ReactElement {
  // `.Provider` (not `<Context value>`) keeps React 18.3 working.
  return createElement(ChatContext.Provider, { value: client }, children);
}

/** The provided client; `hook` names the caller in the error thrown outside `<ChatProvider>`. */
export function useChatClient(hook: string): ChatClient {
  const client = useContext(ChatContext);
  if (!client) {
    throw new Error(`@chat/react: ${hook}() must be used inside <ChatProvider client={client}>`);
  }
  return client;
}
