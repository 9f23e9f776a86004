import { createContext, useContext } from 'react';

/** Which channel `<Chat>` shows, shared by `<ChannelList>` (which sets it) and `<Channel>`. */
export interface ChannelSelection {
  readonly activeCid: string | null;
  select(cid: string): void;
}

export const SelectionContext = createContext<ChannelSelection>({ activeCid: null, select: () => {} });

export function useChannelSelection(): ChannelSelection {
  return useContext(SelectionContext);
}
