import { useEffect, useRef } from 'react';
import { replaceable } from '../context/components';
import { useStrings } from '../context/ui-context';
import { useMenuKeyboard } from '../hooks/use-menu-keyboard';

export interface ReactionPickerProps {
  /** The reaction types offered. Default: six common emoji. */
  choices?: readonly string[];
  /** The user's current reactions (shown pressed). */
  selected?: readonly string[];
  onPick(type: string): void;
  /** `refocus`: give focus back to what opened the picker (Escape), not on Tab or outside clicks. */
  onClose(refocus: boolean): void;
}

export const DEFAULT_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢'] as const;

/** A small menu of emoji: arrow keys move, Enter picks, Escape closes. Takes focus when opened. */
function DefaultReactionPicker({
  choices = DEFAULT_REACTIONS,
  selected = [],
  onPick,
  onClose,
}: ReactionPickerProps) {
  const t = useStrings();
  const menu = useRef<HTMLDivElement>(null);
  const onKeyDown = useMenuKeyboard(menu, onClose);
  useEffect(() => {
    menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }, []);
  return (
    <div
      ref={menu}
      role="menu"
      aria-label={t('reactionPicker.label')}
      aria-orientation="horizontal"
      className="chat-reaction-picker"
      data-testid="chat-reaction-picker"
      onKeyDown={onKeyDown}
    >
      {choices.map((type) => (
        <button
          key={type}
          type="button"
          role="menuitem"
          tabIndex={-1}
          className={`chat-reaction-picker__item${selected.includes(type) ? ' chat-reaction-picker__item--selected' : ''}`}
          aria-label={t('reactionPicker.item', { type })}
          data-type={type}
          onClick={() => onPick(type)}
        >
          {type}
        </button>
      ))}
    </div>
  );
}

export { DefaultReactionPicker };
export const ReactionPicker = replaceable('ReactionPicker', DefaultReactionPicker);
