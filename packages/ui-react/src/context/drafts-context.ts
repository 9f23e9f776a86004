import { createContext, useContext } from 'react';

/**
 * Unsent text by input scope (`cid`, or `cid` + thread id), kept by `<Chat>` so switching
 * channels and back restores what was typed, before the server's saved draft even arrives.
 */
export type DraftMap = Map<string, string>;

export const DraftsContext = createContext<DraftMap | null>(null);

export function useDraftMap(): DraftMap | null {
  return useContext(DraftsContext);
}
