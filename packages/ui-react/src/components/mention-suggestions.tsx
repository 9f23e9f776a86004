import { replaceable } from '../context/components';
import { useStrings } from '../context/ui-context';
import type { UserRef } from '../core-types';
import { displayName } from '../text/format';
import { Avatar } from './avatar';

export interface MentionSuggestionsProps {
  /** The listbox id; the input points at it with `aria-controls`. */
  id: string;
  users: readonly UserRef[];
  activeIndex: number;
  /** The id of option `index`; the input points at the active one with `aria-activedescendant`. */
  optionId(index: number): string;
  onPick(user: UserRef): void;
}

/** The `@mention` autocomplete: members matching what follows the `@`. */
function DefaultMentionSuggestions({ id, users, activeIndex, optionId, onPick }: MentionSuggestionsProps) {
  const t = useStrings();
  return (
    <div
      id={id}
      role="listbox"
      aria-label={t('input.mentions')}
      className="chat-mention-suggestions"
      data-testid="chat-mention-suggestions"
    >
      {users.map((user, index) => (
        // The textarea keeps the focus and the keys (aria-activedescendant); a click picks.
        // biome-ignore lint/a11y/useKeyWithClickEvents: the textarea owns the keyboard of this listbox
        <div
          key={user.id}
          id={optionId(index)}
          role="option"
          tabIndex={-1}
          aria-selected={index === activeIndex}
          className={`chat-mention-suggestions__option${index === activeIndex ? ' chat-mention-suggestions__option--active' : ''}`}
          data-testid="chat-mention-option"
          data-user-id={user.id}
          // Keep the focus in the textarea.
          onMouseDown={(event) => event.preventDefault()}
          onClick={() => onPick(user)}
        >
          <Avatar user={user} size="small" showPresence />
          <span className="chat-mention-suggestions__name">{displayName(user)}</span>
          {user.name && <span className="chat-mention-suggestions__id">@{user.id}</span>}
        </div>
      ))}
    </div>
  );
}

export { DefaultMentionSuggestions };
export const MentionSuggestions = replaceable('MentionSuggestions', DefaultMentionSuggestions);
