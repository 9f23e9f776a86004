import type { ChannelSnapshot, LocalMessage } from '@chat/core';
import { useStore } from '@chat/react';
import { type KeyboardEvent, useId, useMemo, useState } from 'react';
import { useActiveChannel } from '../../context/channel-context';
import { useStrings } from '../../context/ui-context';
import { useOwnUserId } from '../../hooks/use-own-user-id';
import { displayName } from '../../text/format';
import { reactionSummary } from '../../text/reaction-summary';
import type { ReactionsLoader } from './reactors-store';
import { useMessageReactors } from './use-message-reactors';

export interface ReactionChipProps {
  message: LocalMessage;
  type: string;
  count: number;
  onToggle(): void;
  loadReactions?: ReactionsLoader;
}

const selectMembers = (s: ChannelSnapshot) => s.members;

/**
 * One reaction on a message: a toggle of the user's own reaction, with a tooltip naming who
 * reacted, shown on hover and on keyboard focus (and on a tap, which focuses), hidden by Escape
 * or leaving (WAI-ARIA tooltip pattern). The tooltip is the button's description
 * (`aria-describedby`), so a screen reader says it after the name; it stays in the DOM, hidden,
 * so the description is there before it is shown.
 */
export function ReactionChip({ message, type, count, onToggle, loadReactions }: ReactionChipProps) {
  const t = useStrings();
  const tooltipId = useId();
  const [open, setOpen] = useState(false);
  const channel = useActiveChannel('Reactions');
  const members = useStore(channel.state, selectMembers);
  const ownUserId = useOwnUserId();
  const { reactors, load } = useMessageReactors(message.id, loadReactions);
  const own = message.own_reactions.includes(type);

  const summary = useMemo(() => {
    const ids = (reactors.byType[type] ?? []).filter((id) => id !== ownUserId);
    if (reactors.status === 'loading' && ids.length + (own ? 1 : 0) < count) return t('reactions.loading');
    const names = ids.map((id) => displayName(members[id]?.user ?? { id, name: null }));
    return reactionSummary(t, { type, count, own, names });
  }, [reactors, type, ownUserId, own, count, members, t]);

  const show = () => {
    setOpen(true);
    load();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || !open) return;
    // Only the tooltip goes: a surrounding thread panel stays open.
    event.stopPropagation();
    setOpen(false);
  };

  return (
    <li className="chat-reactions__item" onMouseEnter={show} onMouseLeave={() => setOpen(false)}>
      <button
        type="button"
        className={`chat-reactions__button${own ? ' chat-reactions__button--own' : ''}`}
        aria-pressed={own}
        aria-label={t.plural('reactions.item', count, { type })}
        aria-describedby={tooltipId}
        data-testid="chat-reaction"
        data-type={type}
        data-count={count}
        onClick={onToggle}
        onFocus={show}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      >
        <span aria-hidden="true">{type}</span>
        <span className="chat-reactions__count" aria-hidden="true">
          {count}
        </span>
      </button>
      <span
        id={tooltipId}
        role="tooltip"
        className="chat-reactions__tooltip"
        data-testid="chat-reaction-tooltip"
        hidden={!open}
      >
        {summary}
      </span>
    </li>
  );
}
