import { useMemo } from 'react';
import { replaceable } from '../context/components';
import { mayContainMarkdown } from '../text/markdown-syntax';
import { linkedText } from './rich-text/linked-text';
import { useMarkdown } from './rich-text/use-markdown';

export interface MessageTextProps {
  text: string;
  /** Display names of the mentioned users: `@name` in the text is highlighted. */
  mentions?: readonly string[];
  /** Render markdown (bold, italic, code, quotes, lists, links). Default `true`; `false`: plain text. */
  markdown?: boolean;
}

const NO_MENTIONS: readonly string[] = [];

/**
 * A message's text. Markdown (`**bold**`, `_italic_`, `~~struck~~`, `` `code` ``, fenced code,
 * `>` quotes, lists, `[links](https://…)`) renders as formatting; the renderer is loaded the
 * first time a message needs it, and until then the text shows as plain text with its links.
 * Nothing is ever parsed as HTML: `<img onerror=…>` shows as typed, and only http(s) and mailto
 * links are made. Line breaks are kept.
 */
function DefaultMessageText({ text, mentions = NO_MENTIONS, markdown = true }: MessageTextProps) {
  // Most messages have no markdown syntax: those render without the markdown hook's state and
  // effect (a long list mounts a screenful of rows every scroll frame).
  return markdown && mayContainMarkdown(text) ? (
    <MarkdownText text={text} mentions={mentions} />
  ) : (
    <PlainText text={text} mentions={mentions} />
  );
}

function PlainText({ text, mentions }: { text: string; mentions: readonly string[] }) {
  const content = useMemo(() => linkedText(text, mentions, 't'), [text, mentions]);
  return (
    <p className="chat-message-text" data-testid="chat-message-text">
      {content}
    </p>
  );
}

/** Plain text (with its links) until the renderer has loaded, then the formatted text. */
function MarkdownText({ text, mentions }: { text: string; mentions: readonly string[] }) {
  const renderMarkdown = useMarkdown(text);
  const content = useMemo(() => renderMarkdown?.(text, mentions), [renderMarkdown, text, mentions]);
  return content ? (
    <div className="chat-message-text chat-message-text--markdown" data-testid="chat-message-text">
      {content}
    </div>
  ) : (
    <PlainText text={text} mentions={mentions} />
  );
}

export { DefaultMessageText };
export const MessageText = replaceable('MessageText', DefaultMessageText);
