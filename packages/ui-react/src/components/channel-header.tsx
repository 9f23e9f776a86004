import { type ChannelSnapshot, channelPeople } from '@chat/core';
import { useChat, useStore } from '@chat/react';
import { useMemo } from 'react';
import { useActiveChannel } from '../context/channel-context';
import { replaceable } from '../context/components';
import { useChatLayout } from '../context/layout-context';
import { useStrings } from '../context/ui-context';
import { useLastSeen } from '../hooks/use-last-seen';
import { useOwnUserId } from '../hooks/use-own-user-id';
import { avatarOf, labelOf } from '../text/channel-label';
import { displayName, timeAgo } from '../text/format';
import { Avatar } from './avatar';
import { ChannelMenu } from './channel-menu';
import { MutedIndicator } from './muted-indicator';

export interface ChannelHeaderProps {
  /** How many online members to show as avatars. Default 5. */
  maxOnline?: number;
  /** Adds "Notification settings" to the channel menu, calling this (e.g. to open `<NotificationSettings>`). */
  onNotificationSettings?(): void;
  /** Adds "Pinned messages" to the channel menu, calling this (e.g. to open `<PinnedMessages>`). */
  onPinnedMessages?(): void;
}

const selectChannel = (s: ChannelSnapshot) => s.channel;
const selectMembers = (s: ChannelSnapshot) => s.members;
const selectMuted = (s: ChannelSnapshot) => s.membership?.muted ?? false;

/**
 * The active channel's name (with a muted mark when the user muted it), member count, who of
 * its members is online now (live), and the channel menu (mute). A direct message (unnamed, one
 * other person) says instead whether they are online, or when they were last seen.
 */
function DefaultChannelHeader({
  maxOnline = 5,
  onNotificationSettings,
  onPinnedMessages,
}: ChannelHeaderProps) {
  const t = useStrings();
  const channel = useActiveChannel('ChannelHeader');
  const { client } = useChat();
  const data = useStore(channel.state, selectChannel);
  const members = useStore(channel.state, selectMembers);
  const muted = useStore(channel.state, selectMuted);
  const presence = useStore(client.users.presence);
  const online = useMemo(
    () =>
      Object.values(members)
        .map((m) => m.user)
        .filter((user) => presence[user.id] ?? user.online),
    [members, presence],
  );
  const ownUserId = useOwnUserId();
  const layout = useChatLayout();
  const people = useMemo(() => channelPeople(Object.values(members), ownUserId), [members, ownUserId]);
  const label = data ? labelOf(data, people, t) : null;
  const title = label?.title ?? channel.id;
  const memberCount = data?.member_count ?? Object.keys(members).length;
  // A direct message (no name, one other person) says whether they are here, or when they last were.
  const direct = memberCount === 2 && people.length === 1 && !data?.name?.trim();
  const other = direct ? members[people[0]!.id]?.user : undefined;
  const seen = useLastSeen(other);
  return (
    <header className="chat-channel-header" data-testid="chat-channel-header">
      {layout?.narrow && (
        <button
          type="button"
          className="chat-channel-header__back"
          data-testid="chat-channel-header-back"
          aria-label={t('header.back')}
          onClick={layout.showList}
        >
          <span aria-hidden="true">‹</span>
        </button>
      )}
      <Avatar
        user={label ? avatarOf(channel.cid, label) : { id: channel.cid, name: title, image: null }}
        size="large"
      />
      <div className="chat-channel-header__text">
        <div className="chat-channel-header__title-row">
          <h2 className="chat-channel-header__title">{title}</h2>
          {muted && <MutedIndicator />}
        </div>
        {seen ? (
          <p className="chat-channel-header__meta" data-testid="chat-last-seen" data-online={seen.online}>
            {seen.online
              ? t('header.activeNow')
              : seen.at
                ? t('header.lastSeen', { when: timeAgo(seen.at, t.locale, seen.now) })
                : t.plural('header.members', memberCount)}
          </p>
        ) : (
          <p className="chat-channel-header__meta">
            <span data-testid="chat-member-count" data-count={memberCount}>
              {t.plural('header.members', memberCount)}
            </span>
            {' · '}
            <span data-testid="chat-online-count" data-count={online.length}>
              {t.plural('header.online', online.length)}
            </span>
          </p>
        )}
      </div>
      {online.length > 0 && (
        <ul
          className="chat-channel-header__online"
          aria-label={t('header.onlineList')}
          data-testid="chat-online-users"
        >
          {online.slice(0, maxOnline).map((user) => (
            <li key={user.id} className="chat-channel-header__online-user" data-user-id={user.id}>
              <Avatar user={user} size="small" showPresence />
              <span className="chat-visually-hidden">{displayName(user)}</span>
            </li>
          ))}
          {online.length > maxOnline && (
            <li className="chat-channel-header__online-more">+{online.length - maxOnline}</li>
          )}
        </ul>
      )}
      <ChannelMenu onNotificationSettings={onNotificationSettings} onPinnedMessages={onPinnedMessages} />
    </header>
  );
}

export { DefaultChannelHeader };
export const ChannelHeader = replaceable('ChannelHeader', DefaultChannelHeader);
