import { type RefObject, useLayoutEffect, useState } from 'react';

export interface PopoverPlacement {
  side: 'above' | 'below';
  /** The most the popover may take without leaving the visible area, in px. */
  maxHeight: number;
}

const GAP = 8;
const MIN_HEIGHT = 160;

/**
 * Where a popover fits beside what it is positioned against (its offset parent): below when the
 * room there takes `preferredHeight`, else on the side with more room, shrunk to it. The room is
 * measured inside the scrolling message list when the popover is in one (a popover that ran past
 * it would be cut off), else inside the window. Measured once when it opens.
 */
export function usePopoverPlacement(
  popover: RefObject<HTMLElement | null>,
  preferredHeight: number,
): PopoverPlacement {
  const [placement, setPlacement] = useState<PopoverPlacement>({ side: 'above', maxHeight: preferredHeight });
  useLayoutEffect(() => {
    const el = popover.current;
    const anchor = (el?.offsetParent ?? el?.parentElement) as HTMLElement | null | undefined;
    if (!el || !anchor) return;
    const box = anchor.getBoundingClientRect();
    const view = el.ownerDocument.defaultView;
    const scroller = anchor.closest('[role="log"]');
    const bounds = scroller?.getBoundingClientRect() ?? {
      top: 0,
      bottom: view?.innerHeight ?? preferredHeight,
    };
    const below = bounds.bottom - box.bottom - GAP;
    const above = box.top - bounds.top - GAP;
    const side = below >= preferredHeight || below >= above ? 'below' : 'above';
    const room = side === 'below' ? below : above;
    setPlacement({ side, maxHeight: Math.max(MIN_HEIGHT, Math.min(preferredHeight, room)) });
  }, [popover, preferredHeight]);
  return placement;
}
