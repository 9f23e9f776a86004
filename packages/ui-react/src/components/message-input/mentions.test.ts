import { describe, expect, it } from 'vitest';
import { findMentionQuery, insertMention, mentionedIds, suggestMembers } from './mentions';

const users = [
  { id: 'bob', name: 'Bob Stone', image: null, online: true },
  { id: 'bea', name: null, image: null, online: false },
  { id: 'carl', name: 'Carl Bauer', image: null, online: false },
];

describe('mentions', () => {
  it('finds the @query before the caret, only at a word start', () => {
    expect(findMentionQuery('hi @bo', 6)).toEqual({ start: 3, query: 'bo' });
    expect(findMentionQuery('@', 1)).toEqual({ start: 0, query: '' });
    expect(findMentionQuery('mail a@b.c', 10)).toBeNull();
    expect(findMentionQuery('hi @bo there', 12)).toBeNull();
  });

  it('suggests members by id, name or a word of the name, without the user themselves', () => {
    expect(suggestMembers(users, 'b').map((u) => u.id)).toEqual(['bob', 'bea', 'carl']);
    expect(suggestMembers(users, 'sto').map((u) => u.id)).toEqual(['bob']);
    expect(suggestMembers(users, 'b', 'bob').map((u) => u.id)).toEqual(['bea', 'carl']);
  });

  it('inserts @Name and tells which picked users are still mentioned', () => {
    const text = 'hi @bo and more';
    const inserted = insertMention(text, { start: 3, query: 'bo' }, 6, users[0]!);
    expect(inserted).toEqual({ text: 'hi @Bob Stone  and more', caret: 14 });
    const picked = new Map([
      ['Bob Stone', 'bob'],
      ['bea', 'bea'],
    ]);
    expect(mentionedIds(inserted.text, picked)).toEqual(['bob']);
  });
});
