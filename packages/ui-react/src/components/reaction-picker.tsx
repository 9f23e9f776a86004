import { useEffect, useRef, useState } from 'react';
import { replaceable } from '../context/components';
import { useStrings } from '../context/ui-context';
import { useMenuKeyboard } from '../hooks/use-menu-keyboard';
import { EmojiPickerPopover } from './emoji-picker/emoji-picker-popover';

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

/**
 * A small menu of emoji: arrow keys move, Enter picks, Escape closes. Takes focus when opened.
 * Its last item, "More reactions", swaps it for the full emoji picker (loaded then).
 */
function DefaultReactionPicker({
  choices = DEFAULT_REACTIONS,
  selected = [],
  onPick,
  onClose,
}: ReactionPickerProps) {
  const t = useStrings();
  const menu = useRef<HTMLDivElement>(null);
  const [more, setMore] = useState(false);
  const onKeyDown = useMenuKeyboard(menu, onClose);
  useEffect(() => {
    menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }, []);
  if (more) {
    return (
      <EmojiPickerPopover
        label={t('reactionPicker.moreLabel')}
        align="end"
        onPick={onPick}
        onClose={onClose}
      />
    );
  }
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
      <button
        type="button"
        role="menuitem"
        tabIndex={-1}
        className="chat-reaction-picker__item chat-reaction-picker__more"
        aria-label={t('reactionPicker.more')}
        title={t('reactionPicker.more')}
        data-testid="chat-more-reactions"
        onClick={() => setMore(true)}
      >
        <span aria-hidden="true">+</span>
      </button>
    </div>
  );
}

export { DefaultReactionPicker };
export const ReactionPicker = replaceable('ReactionPicker', DefaultReactionPicker);
