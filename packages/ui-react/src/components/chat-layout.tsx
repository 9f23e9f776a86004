import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { LayoutContext } from '../context/layout-context';

export interface ChatLayoutProps {
  /** The side pane: usually the app's header and `<ChannelList>`. */
  sidebar: ReactNode;
  /** The main pane: usually `<Channel>` with its header, list, input and `<Thread>`. */
  children: ReactNode;
  /** Below this width (CSS pixels) one pane shows at a time. Default 720. */
  narrowBelow?: number;
  className?: string;
}

/** Whether `query` matches, following changes (false where there is no `matchMedia`: SSR). */
function useMediaQuery(query: string): boolean {
  const [matches, setMatches] = useState(
    () => typeof window !== 'undefined' && !!window.matchMedia?.(query).matches,
  );
  useEffect(() => {
    const list = window.matchMedia?.(query);
    if (!list) return;
    setMatches(list.matches);
    const onChange = () => setMatches(list.matches);
    list.addEventListener('change', onChange);
    return () => list.removeEventListener('change', onChange);
  }, [query]);
  return matches;
}

/**
 * The list beside the channel on a wide screen; on a narrow one (a phone) the list or the
 * channel, full width: choosing a channel in the list opens it, the channel header's back button
 * returns to the list, and a thread covers the screen. Padded for the device's safe areas (a
 * notch, a home indicator).
 */
export function ChatLayout({ sidebar, children, narrowBelow = 720, className }: ChatLayoutProps) {
  const narrow = useMediaQuery(`(max-width: ${narrowBelow - 0.02}px)`);
  const [view, setView] = useState<'list' | 'channel'>('list');
  const state = useMemo(
    () => ({ narrow, view, showList: () => setView('list'), showChannel: () => setView('channel') }),
    [narrow, view],
  );
  return (
    <LayoutContext.Provider value={state}>
      <div
        className={`chat-layout${narrow ? ' chat-layout--narrow' : ''}${className ? ` ${className}` : ''}`}
        data-testid="chat-layout"
        data-narrow={narrow}
        data-view={view}
      >
        <div className="chat-layout__sidebar">{sidebar}</div>
        <div className="chat-layout__main">{children}</div>
      </div>
    </LayoutContext.Provider>
  );
}
