import { type ReactNode, useMemo } from 'react';
import { replaceable } from '../context/components';
import { linkify } from '../text/linkify';

export interface MessageTextProps {
  text: string;
  /** Display names of the mentioned users: `@name` in the text is highlighted. */
  mentions?: readonly string[];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function withMentions(text: string, mentions: readonly string[], key: string): ReactNode[] {
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

/**
 * A message's text as React text nodes: http(s) URLs become links that open in a new tab, and
 * nothing is ever parsed as HTML, so `<img onerror=…>` shows as typed. Line breaks are kept by CSS.
 */
function DefaultMessageText({ text, mentions = [] }: MessageTextProps) {
  const segments = useMemo(() => linkify(text), [text]);
  return (
    <p className="chat-message-text" data-testid="chat-message-text">
      {segments.map((segment, index) =>
        segment.kind === 'link' ? (
          <a
            // biome-ignore lint/suspicious/noArrayIndexKey: segments of one immutable string
            key={index}
            className="chat-message-text__link"
            href={segment.href}
            target="_blank"
            rel="noopener noreferrer"
          >
            {segment.text}
          </a>
        ) : (
          withMentions(segment.text, mentions, String(index))
        ),
      )}
    </p>
  );
}

export { DefaultMessageText };
export const MessageText = replaceable('MessageText', DefaultMessageText);
