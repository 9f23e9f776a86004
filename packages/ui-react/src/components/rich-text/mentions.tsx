import type { ReactNode } from 'react';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `text` with every `@name` of `mentions` highlighted; keys start with `key`. */
export function withMentions(text: string, mentions: readonly string[], key: string): ReactNode[] {
  if (mentions.length === 0) return [text];
  const pattern = new RegExp(`(@(?:${mentions.map(escapeRegExp).join('|')}))`, 'g');
  return text.split(pattern).map((part, index) =>
    index % 2 === 1 ? (
      // biome-ignore lint/suspicious/noArrayIndexKey: parts of one immutable string, never reordered
      <span key={`${key}-${index}`} className="chat-message-text__mention">
        {part}
      </span>
    ) : (
      part
    ),
  );
}
