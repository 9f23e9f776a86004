import { useMemo } from 'react';
import { replaceable } from '../context/components';
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
  const renderMarkdown = useMarkdown(text, markdown);
  const content = useMemo(
    () => (renderMarkdown ? renderMarkdown(text, mentions) : linkedText(text, mentions, 't')),
    [renderMarkdown, text, mentions],
  );
  return renderMarkdown ? (
    <div className="chat-message-text chat-message-text--markdown" data-testid="chat-message-text">
      {content}
    </div>
  ) : (
    <p className="chat-message-text" data-testid="chat-message-text">
      {content}
    </p>
  );
}

export { DefaultMessageText };
export const MessageText = replaceable('MessageText', DefaultMessageText);
