// Loaded on demand by `EmojiPickerPopover`: frimousse and the emoji data stay out of the first load.
import {
  type EmojiData,
  type EmojiPickerListCategoryHeaderProps,
  type EmojiPickerListEmojiProps,
  type EmojiPickerListRowProps,
  EmojiPicker as Picker,
} from 'frimousse';
import { useEffect, useRef } from 'react';
import { useStrings } from '../../context/ui-context';
import { loadOnDemandStrings } from '../../i18n/on-demand-strings';
import { loadEmojiData } from './emoji-data';

// This part's strings come with its code.
loadOnDemandStrings();

export interface EmojiPickerProps {
  /** Called with the emoji picked (with the chosen skin tone). */
  onPick(emoji: string): void;
  /** Names the grid of emoji. */
  label: string;
}

// One transformation of the dataset per page, whoever opens the picker; a failure is retried
// at the next opening. Stable identity: frimousse caches the data per resolver.
let data: Promise<EmojiData> | null = null;
function resolveEmojiData(): Promise<EmojiData> {
  data ??= loadEmojiData().catch((error: unknown) => {
    data = null;
    throw error;
  });
  return data;
}

// frimousse numbers grid rows and cells from 0; ARIA counts from 1 (axe: aria-valid-attr-value).
const fromOne = (index: number | string | undefined) => (index === undefined ? undefined : Number(index) + 1);

function Emoji({ emoji, ...props }: EmojiPickerListEmojiProps) {
  const button = useRef<HTMLButtonElement>(null);
  // frimousse scrolls the active row into view by its row index, which now counts from 1: the
  // active emoji makes sure of it itself (`nearest`: no jump when it is already in view).
  useEffect(() => {
    const el = button.current;
    // Not for the one under the pointer: the list must not creep while the mouse moves.
    if (emoji.isActive && el && !el.matches(':hover')) el.scrollIntoView({ block: 'nearest' });
  }, [emoji.isActive]);
  return (
    // biome-ignore lint/a11y/useAriaPropsSupportedByRole: frimousse's props carry role="gridcell"
    <button
      {...props}
      ref={button}
      type="button"
      className="chat-emoji-picker__emoji"
      aria-colindex={fromOne(props['aria-colindex'])}
    >
      {emoji.emoji}
    </button>
  );
}

const COMPONENTS = {
  CategoryHeader: ({ category, ...props }: EmojiPickerListCategoryHeaderProps) => (
    <div {...props} className="chat-emoji-picker__category">
      {category.label}
    </div>
  ),
  Row: ({ children, ...props }: EmojiPickerListRowProps) => (
    // biome-ignore lint/a11y/useAriaPropsSupportedByRole: frimousse's props carry role="row"
    <div {...props} className="chat-emoji-picker__row" aria-rowindex={fromOne(props['aria-rowindex'])}>
      {children}
    </div>
  ),
  Emoji,
};

/**
 * Every emoji, searchable, with a skin tone choice (frimousse, unstyled; styled by the kit's
 * theme variables). Focus starts in the search field; arrow keys move through the grid from
 * there and Enter picks (the emoji under the cursor is announced politely); a click picks too.
 */
export function EmojiPicker({ onPick, label }: EmojiPickerProps) {
  const t = useStrings();
  const search = useRef<HTMLInputElement>(null);
  useEffect(() => search.current?.focus(), []);
  return (
    <Picker.Root
      className="chat-emoji-picker"
      columns={8}
      locale="en"
      resolveEmojiData={resolveEmojiData}
      onEmojiSelect={({ emoji }) => onPick(emoji)}
    >
      <div className="chat-emoji-picker__header">
        <Picker.Search
          ref={search}
          className="chat-emoji-picker__search"
          aria-label={t('emojiPicker.search')}
          placeholder={t('emojiPicker.searchPlaceholder')}
        />
        <Picker.SkinToneSelector
          className="chat-icon-button chat-emoji-picker__skin-tone"
          aria-label={t('emojiPicker.skinTone')}
        />
      </div>
      <Picker.Viewport className="chat-emoji-picker__viewport">
        <Picker.Loading className="chat-emoji-picker__status">{t('emojiPicker.loading')}</Picker.Loading>
        <Picker.Empty className="chat-emoji-picker__status">{t('emojiPicker.empty')}</Picker.Empty>
        <Picker.List className="chat-emoji-picker__list" aria-label={label} components={COMPONENTS} />
      </Picker.Viewport>
    </Picker.Root>
  );
}
