import { describe, expect, it } from 'vitest';
import { createTranslator } from '../i18n/strings';
import { reactionSummary } from './reaction-summary';

const t = createTranslator({}, 'en');
const summary = (count: number, own: boolean, names: string[]) =>
  reactionSummary(t, { type: '🎉', count, own, names });

describe('reactionSummary', () => {
  it('names you first, then the others known', () => {
    expect(summary(1, true, [])).toBe('You reacted with 🎉');
    expect(summary(2, true, ['Bob'])).toBe('You and Bob reacted with 🎉');
    expect(summary(3, false, ['Bob', 'Ann', 'Cy'])).toBe('Bob, Ann, and Cy reacted with 🎉');
  });

  it('counts the people whose names are not known as others', () => {
    expect(summary(3, true, [])).toBe('You and 2 others reacted with 🎉');
    expect(summary(2, false, ['Bob'])).toBe('Bob and 1 other reacted with 🎉');
  });

  it('says how many people when no name is known', () => {
    expect(summary(1, false, [])).toBe('1 person reacted with 🎉');
    expect(summary(4, false, [])).toBe('4 people reacted with 🎉');
  });

  it('shows ten names at most, then "and N others"', () => {
    const names = Array.from({ length: 14 }, (_, i) => `User ${i + 1}`);
    expect(summary(15, true, names)).toBe(
      'You, User 1, User 2, User 3, User 4, User 5, User 6, User 7, User 8, User 9, and 5 others reacted with 🎉',
    );
  });

  it('never names more people than the count (a stale list)', () => {
    expect(summary(1, false, ['Bob', 'Ann'])).toBe('Bob reacted with 🎉');
  });

  it('is translated, with the locale’s list words and plurals', () => {
    const fr = createTranslator(
      {
        'reactions.by': '{names} ont réagi avec {type}',
        'reactions.you': 'Vous',
        'reactions.others.one': '{count} autre',
        'reactions.others.other': '{count} autres',
      },
      'fr',
    );
    expect(reactionSummary(fr, { type: '👍', count: 4, own: true, names: ['Bob'] })).toBe(
      'Vous, Bob et 2 autres ont réagi avec 👍',
    );
  });
});
