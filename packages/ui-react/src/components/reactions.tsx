import type { LocalMessage } from '@chat/core';
import { useChannelActions } from '../context/channel-context';
import { replaceable } from '../context/components';
import { useStrings } from '../context/ui-context';

export interface ReactionsProps {
  message: LocalMessage;
}

/** The reactions on a message with their counts; each is a toggle of the user's own reaction. */
function DefaultReactions({ message }: ReactionsProps) {
  const t = useStrings();
  const { react, unreact } = useChannelActions('Reactions');
  const counts = Object.entries(message.reaction_counts).filter(([, count]) => count > 0);
  if (counts.length === 0) return null;
  return (
    <ul className="chat-reactions" aria-label={t('reactions.label')} data-testid="chat-reactions">
      {counts.map(([type, count]) => {
        const own = message.own_reactions.includes(type);
        return (
          <li key={type} className="chat-reactions__item">
            <button
              type="button"
              className={`chat-reactions__button${own ? ' chat-reactions__button--own' : ''}`}
              aria-pressed={own}
              aria-label={t.plural('reactions.item', count, { type })}
              data-testid="chat-reaction"
              data-type={type}
              data-count={count}
              onClick={() => (own ? unreact(message.id, type) : react(message.id, type))}
            >
              <span aria-hidden="true">{type}</span>
              <span className="chat-reactions__count" aria-hidden="true">
                {count}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}

export { DefaultReactions };
export const Reactions = replaceable('Reactions', DefaultReactions);
