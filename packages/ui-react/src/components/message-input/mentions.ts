import type { UserRef } from '../../core-types';
import { displayName } from '../../text/format';

/** An `@query` being typed: where its `@` is, and the text after it up to the caret. */
export interface MentionQuery {
  readonly start: number;
  readonly query: string;
}

/** The `@…` right before the caret, if the user is typing one (after a space or at the start). */
export function findMentionQuery(text: string, caret: number): MentionQuery | null {
  const before = text.slice(0, caret);
  const match = /(?:^|\s)@([^\s@]*)$/.exec(before);
  if (!match) return null;
  const query = match[1] ?? '';
  return { start: caret - query.length - 1, query };
}

export const MAX_SUGGESTIONS = 8;

/** Members whose id, name, or a word of their name starts with the query (case-insensitive). */
export function suggestMembers(users: readonly UserRef[], query: string, exceptId?: string): UserRef[] {
  const q = query.toLowerCase();
  return users
    .filter((user) => {
      if (user.id === exceptId) return false;
      const name = displayName(user).toLowerCase();
      return (
        user.id.toLowerCase().startsWith(q) ||
        name.startsWith(q) ||
        name.split(/\s+/).some((w) => w.startsWith(q))
      );
    })
    .slice(0, MAX_SUGGESTIONS);
}

/** The text with `@query` replaced by `@Name `, and the caret position after it. */
export function insertMention(text: string, mention: MentionQuery, caret: number, user: UserRef) {
  const inserted = `@${displayName(user)} `;
  const next = text.slice(0, mention.start) + inserted + text.slice(caret);
  return { text: next, caret: mention.start + inserted.length };
}

/** The ids of the picked users whose `@Name` is still in the text. */
export function mentionedIds(text: string, picked: ReadonlyMap<string, string>): string[] {
  const ids = new Set<string>();
  for (const [name, id] of picked) if (text.includes(`@${name}`)) ids.add(id);
  return [...ids];
}
