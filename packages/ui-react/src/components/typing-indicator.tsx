import { useTyping } from '@chat/react';
import { useActiveChannel } from '../context/channel-context';
import { replaceable } from '../context/components';
import { useStrings } from '../context/ui-context';
import type { Translator } from '../i18n/strings';
import { displayName } from '../text/format';

export interface TypingIndicatorProps {
  /** The thread to watch; default: the channel. */
  parentId?: string;
}

function sentence(names: string[], t: Translator): string {
  const [first = '', second = ''] = names;
  if (names.length === 1) return t('typing.one', { name: first });
  if (names.length === 2) return t('typing.two', { first, second });
  return t('typing.many', { count: names.length });
}

/** "Bob is typing…" for the others typing in the channel or thread; a polite live region. */
function DefaultTypingIndicator({ parentId }: TypingIndicatorProps) {
  const t = useStrings();
  const channel = useActiveChannel('TypingIndicator');
  const { typing } = useTyping(channel, parentId ?? null);
  const names = typing.map((entry) => displayName(entry.user));
  // Always rendered, so screen readers hear the change and the layout does not jump.
  return (
    <div
      className="chat-typing-indicator"
      aria-live="polite"
      data-testid="chat-typing-indicator"
      data-count={names.length}
    >
      {names.length > 0 && (
        <>
          <span className="chat-typing-indicator__dots" aria-hidden="true">
            <span className="chat-typing-indicator__dot" />
            <span className="chat-typing-indicator__dot" />
            <span className="chat-typing-indicator__dot" />
          </span>
          {sentence(names, t)}
        </>
      )}
    </div>
  );
}

export { DefaultTypingIndicator };
export const TypingIndicator = replaceable('TypingIndicator', DefaultTypingIndicator);
