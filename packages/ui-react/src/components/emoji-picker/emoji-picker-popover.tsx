import { type FocusEvent, type KeyboardEvent, useEffect, useRef } from 'react';
import { useLazyModule } from '../../hooks/use-lazy-module';
import { lazyModule } from '../../lazy-module';
import { LazyStatus } from '../lazy-status';
import { usePopoverPlacement } from './use-popover-placement';

// The picker's code is a chunk of its own, loaded the first time a picker opens (once per page:
// the second opening is instant).
const pickerModule = lazyModule(() => import('./emoji-picker'));

export interface EmojiPickerPopoverProps {
  /** The dialog's name, e.g. "Emoji" or "React with any emoji". */
  label: string;
  onPick(emoji: string): void;
  /** `refocus`: give focus back to what opened it (Escape), not when focus moved on by itself. */
  onClose(refocus: boolean): void;
  /** Which edge of the positioned parent it lines up with. */
  align: 'start' | 'end';
  id?: string;
}

const PREFERRED_HEIGHT = 360;

/**
 * The emoji picker in a non-modal dialog, over the content beside what opened it (above or below,
 * wherever it fits, at most the screen's width less a margin). Its code loads the first time it
 * opens; meanwhile the dialog says so. Focus moves in at once; Escape closes it and returns the
 * focus; it also closes when the focus leaves it.
 */
export function EmojiPickerPopover({ label, onPick, onClose, align, id }: EmojiPickerPopoverProps) {
  const dialog = useRef<HTMLDivElement>(null);
  const picker = useLazyModule(pickerModule);
  const { side, maxHeight } = usePopoverPlacement(dialog, PREFERRED_HEIGHT);
  // Until the picker's search field takes it, the dialog holds the focus, so Escape works at once.
  // (When the code is already loaded, the picker mounted first and its field has the focus.)
  useEffect(() => {
    const el = dialog.current;
    if (el && !el.contains(el.ownerDocument.activeElement)) el.focus();
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    // Handled: a surrounding menu or thread panel must not close too.
    event.preventDefault();
    event.stopPropagation();
    onClose(true);
  };
  const onBlur = (event: FocusEvent) => {
    const next = event.relatedTarget as Node | null;
    if (next && !dialog.current?.contains(next)) onClose(false);
  };

  return (
    <div
      ref={dialog}
      id={id}
      role="dialog"
      aria-label={label}
      tabIndex={-1}
      className={`chat-emoji-popover chat-emoji-popover--${side} chat-emoji-popover--${align}`}
      style={{ maxHeight }}
      data-testid="chat-emoji-picker"
      onKeyDown={onKeyDown}
      onBlur={onBlur}
    >
      {picker.status === 'ready' ? (
        <picker.module.EmojiPicker label={label} onPick={onPick} />
      ) : (
        <LazyStatus
          state={picker}
          className="chat-emoji-popover__status"
          loading="emojiPicker.loading"
          failed="emojiPicker.loadFailed"
        />
      )}
    </div>
  );
}
