import { useCallback, useEffect, useLayoutEffect, useRef } from 'react';

// Layout effects warn on the server; nothing here runs there.
const useClientLayoutEffect = typeof document === 'undefined' ? useEffect : useLayoutEffect;

/** How many frames to keep correcting while the new rows are measured. */
const SETTLE_FRAMES = 12;

interface Anchor {
  id: string;
  top: number;
}

const topWithin = (scroller: HTMLElement, row: HTMLElement) =>
  row.getBoundingClientRect().top - scroller.getBoundingClientRect().top;

/**
 * The first message fully in view, leaving out the first row of the list: that row is the one a
 * prepend changes (it loses its date separator and author header once older messages arrive).
 */
function firstInView(scroller: HTMLElement): Anchor | null {
  let best: Anchor | null = null;
  for (const row of scroller.querySelectorAll<HTMLElement>('[data-message-id]')) {
    if (row.dataset.index === '0') continue;
    const top = topWithin(scroller, row);
    if (top < 0 || top >= scroller.clientHeight) continue;
    if (!best || top < best.top) best = { id: row.dataset.messageId ?? '', top };
  }
  return best;
}

/**
 * Keeps the messages the user is looking at where they are while older messages load above.
 * The virtualizer anchors on the row at the top edge, but that is the row a prepend changes, so
 * the rows below it would jump by the difference. So after every commit and scroll this notes
 * the first message fully in view; after a prepend it scrolls by however far that message
 * moved, frame by frame until the new rows are measured.
 *
 * Returns the handler to call on scroll; `firstKey` is the first row's key (a prepend changes it).
 */
export function useKeepInView(scroller: { current: HTMLElement | null }, firstKey: string | undefined) {
  const anchor = useRef<Anchor | null>(null);
  const settling = useRef(false);
  const previousFirst = useRef(firstKey);

  const note = useCallback(() => {
    const el = scroller.current;
    if (el && !settling.current) anchor.current = firstInView(el);
  }, [scroller]);

  useClientLayoutEffect(() => {
    const prepended = previousFirst.current !== undefined && previousFirst.current !== firstKey;
    previousFirst.current = firstKey;
    const target = anchor.current;
    if (!prepended || !target) {
      note();
      return;
    }
    settling.current = true;
    let frames = 0;
    let handle = 0;
    const correct = () => {
      const el = scroller.current;
      const row = el?.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(target.id)}"]`);
      if (el && row) {
        const moved = topWithin(el, row) - target.top;
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

  return note;
}
