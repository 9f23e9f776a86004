import type { LocalMessage } from '@chat/core';
import { replaceable } from '../context/components';
import { useStrings } from '../context/ui-context';
import { displayName } from '../text/format';

export interface QuotedMessageProps {
  /** The quoted message as the server embeds it (one level deep). */
  quoted: NonNullable<LocalMessage['quoted_message']>;
}

const MAX_PREVIEW = 160;

/** The message a reply quotes: author and the start of its text. */
function DefaultQuotedMessage({ quoted }: QuotedMessageProps) {
  const t = useStrings();
  const name = displayName(quoted.user);
  const deleted = quoted.deleted_at !== null || quoted.type === 'deleted';
  const text = quoted.text.length > MAX_PREVIEW ? `${quoted.text.slice(0, MAX_PREVIEW)}…` : quoted.text;
  return (
    <figure
      className="chat-quoted-message"
      data-testid="chat-quoted-message"
      data-quoted-id={quoted.id}
      aria-label={t('message.quoted', { name })}
    >
      <figcaption className="chat-quoted-message__author">{name}</figcaption>
      <blockquote className="chat-quoted-message__text">{deleted ? t('message.deleted') : text}</blockquote>
    </figure>
  );
}

export { DefaultQuotedMessage };
export const QuotedMessage = replaceable('QuotedMessage', DefaultQuotedMessage);
