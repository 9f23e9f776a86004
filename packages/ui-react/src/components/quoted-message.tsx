import type { LocalMessage } from '@chat/core';
import { useActiveChannel } from '../context/channel-context';
import { replaceable } from '../context/components';
import { jumpToMessage } from '../context/jump-target';
import { useStrings } from '../context/ui-context';
import { displayName } from '../text/format';

export interface QuotedMessageProps {
  /** The quoted message as the server embeds it (one level deep). */
  quoted: NonNullable<LocalMessage['quoted_message']>;
}

const MAX_PREVIEW = 160;

/**
 * The message a reply quotes: author and the start of its text. Choosing it shows the quoted
 * message in the list (loaded around it when it is far back); a deleted one is just text.
 */
function DefaultQuotedMessage({ quoted }: QuotedMessageProps) {
  const t = useStrings();
  const channel = useActiveChannel('QuotedMessage');
  const name = displayName(quoted.user);
  const deleted = quoted.deleted_at !== null || quoted.type === 'deleted';
  const text = quoted.text.length > MAX_PREVIEW ? `${quoted.text.slice(0, MAX_PREVIEW)}…` : quoted.text;
  const body = (
    <>
      <span className="chat-quoted-message__author">{name}</span>
      <span className="chat-quoted-message__text">{deleted ? t('message.deleted') : text}</span>
    </>
  );
  if (deleted || quoted.parent_id) {
    return (
      <figure
        className="chat-quoted-message"
        data-testid="chat-quoted-message"
        data-quoted-id={quoted.id}
        aria-label={t('message.quoted', { name })}
      >
        {body}
      </figure>
    );
  }
  return (
    <button
      type="button"
      className="chat-quoted-message chat-quoted-message--button"
      data-testid="chat-quoted-message"
      data-quoted-id={quoted.id}
      onClick={(event) => {
        // The message row's own click (showing its actions) is not this.
        event.stopPropagation();
        jumpToMessage(channel, quoted.id);
      }}
    >
      {/* The visible text stays the button's name (WCAG 2.5.3); the hint goes before it. */}
      <span className="chat-visually-hidden">{t('message.showQuoted', { name })}: </span>
      {body}
    </button>
  );
}

export { DefaultQuotedMessage };
export const QuotedMessage = replaceable('QuotedMessage', DefaultQuotedMessage);
