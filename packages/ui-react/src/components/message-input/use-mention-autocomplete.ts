import type { Channel, ChannelSnapshot } from '@chat/core';
import { useStore } from '@chat/react';
import { type KeyboardEvent, useId, useMemo, useRef, useState } from 'react';
import type { UserRef } from '../../core-types';
import { findMentionQuery, insertMention, mentionedIds, suggestMembers } from './mentions';

const selectMembers = (s: ChannelSnapshot) => s.members;

/**
 * The `@mention` autocomplete of an input: which members match what follows the `@` before the
 * caret, which one is active, and the keys that drive it (arrows, Enter/Tab to pick, Escape to
 * close). Picked users are remembered by name so `ids(text)` can tell whom the text mentions.
 */
export function useMentionAutocomplete(
  channel: Channel,
  ownUserId: string | undefined,
  text: string,
  replaceText: (text: string, caret: number) => void,
) {
  const members = useStore(channel.state, selectMembers);
  const users = useMemo(() => Object.values(members).map((m) => m.user), [members]);
  const [caret, setCaret] = useState(0);
  const [activeIndex, setActiveIndex] = useState(0);
  // Escape closes the list for this `@` only; typing another `@` opens it again.
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const picked = useRef(new Map<string, string>());
  const listId = useId();

  const mention = findMentionQuery(text, caret);
  const suggestions = useMemo(
    () => (mention ? suggestMembers(users, mention.query, ownUserId) : []),
    [users, mention?.query, mention, ownUserId],
  );
  const open = mention !== null && mention.start !== dismissedAt && suggestions.length > 0;
  const active = Math.min(activeIndex, Math.max(suggestions.length - 1, 0));

  const pick = (user: UserRef) => {
    if (!mention) return;
    const next = insertMention(text, mention, caret, user);
    picked.current.set(user.name?.trim() || user.id, user.id);
    setActiveIndex(0);
    setCaret(next.caret);
    replaceText(next.text, next.caret);
  };

  /** Handles the key if the list is open; returns whether it did. */
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open) return false;
    const move = (by: number) => setActiveIndex((active + by + suggestions.length) % suggestions.length);
    if (event.key === 'ArrowDown') move(1);
    else if (event.key === 'ArrowUp') move(-1);
    else if (event.key === 'Enter' || event.key === 'Tab') {
      const user = suggestions[active];
      if (user) pick(user);
    } else if (event.key === 'Escape') setDismissedAt(mention?.start ?? null);
    else return false;
    event.preventDefault();
    event.stopPropagation();
    return true;
  };

  return {
    open,
    listId,
    optionId: (index: number) => `${listId}-option-${index}`,
    suggestions,
    activeIndex: active,
    pick,
    onKeyDown,
    /** Call with the textarea's caret after every change or selection move. */
    trackCaret: (position: number) => {
      if (position !== caret) setActiveIndex(0);
      setCaret(position);
    },
    ids: (value: string) => mentionedIds(value, picked.current),
    reset: () => {
      picked.current.clear();
      setDismissedAt(null);
    },
  };
}
