import type { Message } from '@chat/core';
import { useChat } from '@chat/react';
import { type ReactNode, useEffect, useId, useState } from 'react';
import { jumpToMessage } from '../context/jump-target';
import { useChatLayout } from '../context/layout-context';
import { useChannelSelection } from '../context/selection-context';
import { useStrings } from '../context/ui-context';
import { loadOnDemandStrings } from '../i18n/on-demand-strings';
import { displayName, timeOfDay } from '../text/format';

// This part's strings come with its code.
loadOnDemandStrings();

export interface SearchPanelProps {
  /** Called with the result chosen, after its channel was opened. */
  onSelect?(message: Message): void;
  /** Results asked for at most. Default 20. */
  limit?: number;
}

type Search =
  | { status: 'idle' }
  | { status: 'searching' }
  | { status: 'done'; results: Message[] }
  | { status: 'failed' };

/** How long typing pauses before the search is asked (one request per pause, not per key). */
const PAUSE_MS = 250;

/** `text` with each occurrence of a word of `query` marked (as React nodes: never HTML). */
function highlighted(text: string, query: string): ReactNode[] {
  const words = query
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (words.length === 0) return [text];
  const pattern = new RegExp(`(${words.join('|')})`, 'giu');
  // Keyed by where each part starts in the text (stable for the same text and query).
  let at = 0;
  return text.split(pattern).map((part, i) => {
    const key = `${at}`;
    at += part.length;
    return i % 2 === 1 ? <mark key={key}>{part}</mark> : part;
  });
}

/**
 * Searches the user's messages as they type (the server's full-text search): each result shows
 * its author, time and text with the words found marked; choosing one opens its channel (on a
 * phone, the channel pane) at that message. Results are announced to screen readers.
 */
export function SearchPanel({ onSelect, limit = 20 }: SearchPanelProps) {
  const t = useStrings();
  const { client } = useChat();
  const { select } = useChannelSelection();
  const layout = useChatLayout();
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState<Search>({ status: 'idle' });
  const inputId = useId();

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setSearch({ status: 'idle' });
      return;
    }
    let current = true;
    setSearch({ status: 'searching' });
    const timer = setTimeout(() => {
      client.messages
        .search({ query: q, limit })
        .then(({ messages }) => current && setSearch({ status: 'done', results: messages }))
        .catch(() => current && setSearch({ status: 'failed' }));
    }, PAUSE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [client, query, limit]);

  const status =
    search.status === 'searching'
      ? t('search.searching')
      : search.status === 'failed'
        ? t('search.failed')
        : search.status === 'done'
          ? search.results.length === 0
            ? t('search.none')
            : t.plural('search.results', search.results.length)
          : '';
  return (
    <section className="chat-search" aria-label={t('search.label')} data-testid="chat-search">
      <label className="chat-visually-hidden" htmlFor={inputId}>
        {t('search.label')}
      </label>
      <input
        id={inputId}
        type="search"
        className="chat-search__input"
        placeholder={t('search.placeholder')}
        value={query}
        maxLength={200}
        onChange={(event) => setQuery(event.target.value)}
      />
      <p role="status" className="chat-search__status">
        {status}
      </p>
      {search.status === 'done' && search.results.length > 0 && (
        <ul className="chat-search__results">
          {search.results.map((message) => (
            <li key={message.id}>
              <button
                type="button"
                className="chat-search__result"
                data-testid="chat-search-result"
                data-cid={message.cid}
                onClick={() => {
                  select(message.cid);
                  layout?.showChannel();
                  // Shown in the channel's list, loaded around it when far back (a reply: its thread's parent).
                  jumpToMessage(client.channels.byCid(message.cid), message.parent_id ?? message.id);
                  onSelect?.(message);
                }}
              >
                <span className="chat-search__meta">
                  <span className="chat-search__author">{displayName(message.user)}</span>
                  <time dateTime={message.created_at}>{timeOfDay(message.created_at, t.locale)}</time>
                </span>
                <span className="chat-search__text">{highlighted(message.text, query.trim())}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
