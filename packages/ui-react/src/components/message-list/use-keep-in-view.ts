import type { VirtualItem, Virtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef } from 'react';

// Layout effects warn on the server; nothing here runs there.
const useClientLayoutEffect = typeof document === 'undefined' ? useEffect : useLayoutEffect;

/** How many frames to keep correcting while the new rows are measured. */
const SETTLE_FRAMES = 12;

interface Anchor {
  key: VirtualItem['key'];
  /** Where the row's top is, relative to the viewport's top, in px. */
  top: number;
}

/**
 * The first row whose top is in view, leaving out the first row of the list: that row is the one a
 * prepend changes (it loses its date separator and author header once older messages arrive).
 * `items` are the virtualizer's rows in index order; `topOf` places one in the viewport.
 */
function firstInView(
  items: readonly VirtualItem[],
  topOf: (item: VirtualItem) => number,
  height: number,
): Anchor | null {
  for (const item of items) {
    if (item.index === 0) continue;
    const top = topOf(item);
    if (top >= height) break;
    if (top >= 0) return { key: item.key, top };
  }
  return null;
}

/**
 * Keeps the messages the user is looking at where they are while older messages load above.
 * The virtualizer anchors on the row at the top edge, but that is the row a prepend changes, so
 * the rows below it would jump by the difference. So after every commit and scroll this notes
 * the first row fully in view; after a prepend it scrolls by however far that row moved,
 * frame by frame until the new rows are measured.
 *
 * Where a row is comes from the virtualizer's own layout (its offsets and measured sizes), not
 * from the DOM: reading every row's box after each commit forced a layout per scroll frame.
 * The one DOM read is the scroller's `scrollTop` while correcting after a prepend.
 *
 * Returns the handler to call on scroll with the scroller's `scrollTop` and `clientHeight`;
 * `firstKey` is the first row's key (a prepend changes it).
 */
export function useKeepInView(
  virtualizer: Virtualizer<HTMLDivElement, Element>,
  scroller: { current: HTMLElement | null },
  firstKey: string | undefined,
) {
  const anchor = useRef<Anchor | null>(null);
  const settling = useRef(false);
  const previousFirst = useRef(firstKey);

  // On scroll, before the virtualizer has seen the event: the rows are still where the DOM drew
  // them (`start`), and the scroller's offset is the new one.
  const noteScrolled = useCallback(
    (scrollTop: number, height: number) => {
      if (settling.current) return;
      anchor.current = firstInView(virtualizer.getVirtualItems(), (item) => item.start - scrollTop, height);
    },
    [virtualizer],
  );

  useClientLayoutEffect(() => {
    const prepended = previousFirst.current !== undefined && previousFirst.current !== firstKey;
    previousFirst.current = firstKey;
    const target = anchor.current;
    if (!prepended || !target) {
      // After a commit: the virtualizer's offset and layout are the ones just rendered. Both in
      // layout coordinates (`measurementsCache`, fresh once `getVirtualItems` ran), which is
      // where the rows are drawn even while the virtualizer holds back a correction (iOS).
      const items = virtualizer.getVirtualItems();
      const offset = virtualizer.scrollOffset ?? 0;
      const layout = virtualizer.measurementsCache;
      anchor.current = firstInView(
        items,
        (item) => (layout[item.index]?.start ?? item.start) - offset,
        virtualizer.scrollRect?.height ?? 0,
      );
      return;
    }
    settling.current = true;
    let frames = 0;
    let handle = 0;
    const correct = () => {
      const el = scroller.current;
      const row = el && virtualizer.getVirtualItems().find((item) => item.key === target.key);
      if (el && row) {
        const moved = row.start - el.scrollTop - target.top;
        if (Math.abs(moved) >= 1) el.scrollTop += moved;
      }
      if (++frames < SETTLE_FRAMES) handle = requestAnimationFrame(correct);
      else settling.current = false;
    };
    correct();
    handle = requestAnimationFrame(correct);
    return () => {
      cancelAnimationFrame(handle);
      settling.current = false;
    };
  });

  return noteScrolled;
}
