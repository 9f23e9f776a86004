import { createContext, useContext } from 'react';

/**
 * What `<ChatLayout>` tells the components inside it: whether the screen is narrow (a phone),
 * where one pane shows at a time, and how to move between the channel list and the channel.
 */
export interface ChatLayoutState {
  readonly narrow: boolean;
  /** The pane a narrow screen shows. */
  readonly view: 'list' | 'channel';
  showList(): void;
  showChannel(): void;
}

export const LayoutContext = createContext<ChatLayoutState | null>(null);

/** The enclosing `<ChatLayout>`'s state, or null outside one. */
export function useChatLayout(): ChatLayoutState | null {
  return useContext(LayoutContext);
}
