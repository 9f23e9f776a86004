import type { LocalMessage } from '@chat/core';
import { useChannelActions } from '../context/channel-context';
import { replaceable } from '../context/components';
import { useStrings } from '../context/ui-context';
import { ReactionChip } from './reaction-users/reaction-chip';
import type { ReactionsLoader } from './reaction-users/reactors-store';

export interface ReactionsProps {
  message: LocalMessage;
  /**
   * Lists who reacted to a message, asked the first time one of its reactions is hovered or
   * focused (then cached per message). Default: the server's list (`client.messages.reactions`,
   * `GET /v1/messages/{id}/reactions`). Until it answers, or if it fails, the tooltip names the
   * people seen reacting live and counts the rest ("You and 3 others reacted with 🎉").
   */
  loadReactions?: ReactionsLoader;
}

/**
 * The reactions on a message with their counts; each is a toggle of the user's own reaction
 * whose tooltip says who reacted.
 */
function DefaultReactions({ message, loadReactions }: ReactionsProps) {
  const t = useStrings();
  const { react, unreact } = useChannelActions('Reactions');
  const counts = Object.entries(message.reaction_counts).filter(([, count]) => count > 0);
  if (counts.length === 0) return null;
  return (
    <ul className="chat-reactions" aria-label={t('reactions.label')} data-testid="chat-reactions">
      {counts.map(([type, count]) => (
        <ReactionChip
          key={type}
          message={message}
          type={type}
          count={count}
          loadReactions={loadReactions}
          onToggle={() =>
            message.own_reactions.includes(type) ? unreact(message.id, type) : react(message.id, type)
          }
        />
      ))}
    </ul>
  );
}

export { DefaultReactions };
export const Reactions = replaceable('Reactions', DefaultReactions);
