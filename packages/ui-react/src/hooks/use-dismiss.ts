import { type RefObject, useEffect } from 'react';

/** Calls `dismiss` when a pointer goes down outside `ref` while `active` (a menu or a picker). */
export function useDismissOnOutsidePointer(
  ref: RefObject<HTMLElement | null>,
  active: boolean,
  dismiss: () => void,
): void {
  useEffect(() => {
    if (!active) return;
    const onPointerDown = (event: PointerEvent) => {
      if (ref.current && !ref.current.contains(event.target as Node)) dismiss();
    };
    const doc = ref.current?.ownerDocument;
    doc?.addEventListener('pointerdown', onPointerDown);
    return () => doc?.removeEventListener('pointerdown', onPointerDown);
  }, [ref, active, dismiss]);
}
