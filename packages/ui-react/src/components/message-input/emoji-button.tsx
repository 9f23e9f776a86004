import { useCallback, useId, useRef, useState } from 'react';
import { useStrings } from '../../context/ui-context';
import { useDismissOnOutsidePointer } from '../../hooks/use-dismiss';
import { EmojiPickerPopover } from '../emoji-picker/emoji-picker-popover';
import { ComposerIconButton } from './composer-icon-button';

export interface EmojiButtonProps {
  /** Called with the emoji picked; the picker closes, the caller puts the focus back. */
  onPick(emoji: string): void;
}

/** The composer's "Insert emoji" button and the emoji picker it opens (a dialog, loaded on first use). */
export function EmojiButton({ onPick }: EmojiButtonProps) {
  const t = useStrings();
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const dialogId = useId();
  const dismiss = useCallback(() => setOpen(false), []);
  useDismissOnOutsidePointer(root, open, dismiss);
  return (
    <div ref={root} className="chat-message-input__emoji">
      <ComposerIconButton
        ref={trigger}
        className="chat-message-input__emoji-button"
        aria-label={t('input.emoji')}
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? dialogId : undefined}
        data-testid="chat-emoji-button"
        onClick={() => setOpen((o) => !o)}
        icon={
          <>
            <circle cx="12" cy="12" r="9" />
            <path d="M8.5 14.5a4.5 4.5 0 0 0 7 0" />
            <path d="M9 9.5h.01M15 9.5h.01" strokeWidth="2.5" />
          </>
        }
      />
      {open && (
        <EmojiPickerPopover
          id={dialogId}
          label={t('emojiPicker.label')}
          align="start"
          onPick={(emoji) => {
            setOpen(false);
            onPick(emoji);
          }}
          onClose={(refocus) => {
            setOpen(false);
            if (refocus) trigger.current?.focus();
          }}
        />
      )}
    </div>
  );
}
