import { useChat } from '@chat/react';
import { useCallback, useEffect, useState } from 'react';
import { useChatLayout } from '../context/layout-context';
import { useChannelSelection } from '../context/selection-context';
import { useStrings } from '../context/ui-context';
import type { ChannelData } from '../core-types';
import { useOwnUserId } from '../hooks/use-own-user-id';
import { loadOnDemandStrings } from '../i18n/on-demand-strings';
import { Avatar } from './avatar';

// This part's strings come with its code.
loadOnDemandStrings();

export interface BrowseChannelsProps {
  /** Channels asked for per page. Default 20. */
  pageSize?: number;
  /** Called with the channel joined, after it was opened. */
  onJoined?(cid: string): void;
}

interface Listing {
  status: 'loading' | 'done' | 'failed';
  channels: ChannelData[];
  cursor: string | null;
}

/**
 * The public channels the user could join and is not in (the server's `filter.joinable`), newest
 * activity first, each with a Join button: joining adds the user, opens the channel (on a phone,
 * the channel pane) and the channel list picks it up from the server's event.
 */
export function BrowseChannels({ pageSize = 20, onJoined }: BrowseChannelsProps) {
  const t = useStrings();
  const { client } = useChat();
  const ownUserId = useOwnUserId();
  const { select } = useChannelSelection();
  const layout = useChatLayout();
  const [listing, setListing] = useState<Listing>({ status: 'loading', channels: [], cursor: null });
  const [joining, setJoining] = useState<string | null>(null);
  const [failedJoin, setFailedJoin] = useState<string | null>(null);

  const load = useCallback(
    (cursor: string | null) => {
      setListing((l) => ({ ...l, status: 'loading' }));
      const body = {
        filter: { joinable: true as const },
        sort: { last_message_at: -1 as const },
        limit: pageSize,
        message_limit: 0,
        ...(cursor && { cursor }),
      };
      return client.http
        .request('queryChannels', { body })
        .then(({ channels, next_cursor }) =>
          setListing((l) => ({
            status: 'done',
            channels: [...(cursor ? l.channels : []), ...channels.map((c) => c.channel)],
            cursor: next_cursor,
          })),
        )
        .catch(() => setListing((l) => ({ ...l, status: 'failed' })));
    },
    [client, pageSize],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  const join = async (channel: ChannelData) => {
    if (!ownUserId) return;
    const { cid, type, id } = channel;
    setJoining(cid);
    setFailedJoin(null);
    try {
      await client.channel(type, id).addMembers([ownUserId]);
      setListing((l) => ({ ...l, channels: l.channels.filter((c) => c.cid !== cid) }));
      select(cid);
      layout?.showChannel();
      onJoined?.(cid);
    } catch {
      setFailedJoin(cid);
    } finally {
      setJoining(null);
    }
  };

  const { status, channels, cursor } = listing;
  const summary =
    status === 'failed'
      ? t('browse.failed')
      : status === 'loading' && channels.length === 0
        ? t('browse.loading')
        : channels.length === 0
          ? t('browse.none')
          : t.plural('browse.found', channels.length);
  return (
    <section className="chat-browse" aria-label={t('browse.label')} data-testid="chat-browse">
      <p role="status" className="chat-browse__status">
        {summary}
      </p>
      {channels.length > 0 && (
        <ul className="chat-browse__list">
          {channels.map((channel) => {
            const name = channel.name?.trim() || channel.id;
            return (
              <li
                key={channel.cid}
                className="chat-browse__item"
                data-testid="chat-browse-item"
                data-cid={channel.cid}
              >
                <Avatar user={{ id: channel.cid, name, image: channel.image }} />
                <span className="chat-browse__text">
                  <span className="chat-browse__name">{name}</span>
                  <span className="chat-browse__meta">
                    {t.plural('header.members', channel.member_count)}
                  </span>
                </span>
                <button
                  type="button"
                  className="chat-button chat-button--primary"
                  aria-label={t('browse.joinChannel', { channel: name })}
                  disabled={joining !== null}
                  onClick={() => void join(channel)}
                >
                  {joining === channel.cid ? t('browse.joining') : t('browse.join')}
                </button>
                {failedJoin === channel.cid && (
                  <span role="alert" className="chat-browse__error">
                    {t('browse.failed')}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {cursor && status !== 'loading' && (
        <button type="button" className="chat-button" onClick={() => void load(cursor)}>
          {t('browse.more')}
        </button>
      )}
    </section>
  );
}
