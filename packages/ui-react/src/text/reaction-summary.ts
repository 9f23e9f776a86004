import type { Translator } from '../i18n/strings';
import { joinNames } from './format';

export interface ReactionSummaryInput {
  type: string;
  count: number;
  /** The current user reacted with this type. */
  own: boolean;
  /** Other people known to have reacted, newest first (may be fewer than `count`). */
  names: readonly string[];
  /** Names shown before "and N others". Default 10. */
  max?: number;
}

/**
 * Who reacted, as a sentence: "You, Bob, and Carol reacted with 🎉", "Bob and 3 others reacted
 * with 🎉", or "4 people reacted with 🎉" when no name is known. "You" comes first; names beyond
 * `max`, and people whose names are not known, are counted as others.
 *
 * @example
 * reactionSummary(t, { type: '🎉', count: 3, own: true, names: ['Bob'] }) // 'You, Bob, and 1 other reacted with 🎉' (en)
 */
export function reactionSummary(
  t: Translator,
  { type, count, own, names, max = 10 }: ReactionSummaryInput,
): string {
  const people = [...(own ? [t('reactions.you')] : []), ...names].slice(0, Math.min(count, max));
  if (people.length === 0) return t.plural('reactions.people', count, { type });
  const others = count - people.length;
  const list = others > 0 ? [...people, t.plural('reactions.others', others)] : people;
  return t('reactions.by', { names: joinNames(list, t.locale), type });
}
