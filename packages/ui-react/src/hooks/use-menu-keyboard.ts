import { type KeyboardEvent, type RefObject, useCallback } from 'react';

const ITEM_SELECTOR = ['menuitem', 'menuitemcheckbox', 'menuitemradio']
  .map((role) => `[role="${role}"]:not([disabled])`)
  .join(', ');

/**
 * Keyboard use of a `role="menu"`: arrow keys (both axes, so a row of emoji works too), Home and
 * End move focus between the items, wrapping; Escape and Tab close it. Returns the `onKeyDown`
 * handler for the menu element.
 */
export function useMenuKeyboard(menu: RefObject<HTMLElement | null>, close: (refocus: boolean) => void) {
  return useCallback(
    (event: KeyboardEvent) => {
      const items = [...(menu.current?.querySelectorAll<HTMLElement>(ITEM_SELECTOR) ?? [])];
      const at = items.indexOf(event.target as HTMLElement);
      const focus = (index: number) => items[(index + items.length) % items.length]?.focus();
      switch (event.key) {
        case 'ArrowDown':
        case 'ArrowRight':
          focus(at + 1);
          break;
        case 'ArrowUp':
        case 'ArrowLeft':
          focus(at - 1);
          break;
        case 'Home':
          focus(0);
          break;
        case 'End':
          focus(-1);
          break;
        case 'Escape':
          close(true);
          break;
        case 'Tab':
          // Let focus move on; the menu just goes away.
          close(false);
          return;
        default:
          return;
      }
      // Handled here: keep the keys from scrolling the list or closing a surrounding panel.
      event.preventDefault();
      event.stopPropagation();
    },
    [menu, close],
  );
}
