import type { ChannelListEntry } from '@chat/core';
import type { KeyboardEvent, Ref } from 'react';
import { replaceable } from '../context/components';
import { useStrings } from '../context/ui-context';
import type { Translator } from '../i18n/strings';
import { avatarOf, labelOf } from '../text/channel-label';
import { displayName } from '../text/format';
import { Avatar } from './avatar';
import { MutedIndicator } from './muted-indicator';

export interface ChannelListItemProps {
  entry: ChannelListEntry;
  selected: boolean;
  /** The user muted the channel: a muted mark, and its unread badge in grey. */
  muted?: boolean;
  /** In the tab order (the one roving tab stop of the list). */
  focusable: boolean;
  /** The connected user, to show "You: …" in the preview. */
  ownUserId: string | undefined;
  onSelect(cid: string): void;
  /** The list's arrow-key handling; call it from the item's `onKeyDown`. */
  onKeyDown(event: KeyboardEvent<HTMLElement>, cid: string): void;
  itemRef?: Ref<HTMLDivElement>;
}

function preview(entry: ChannelListEntry, ownUserId: string | undefined, t: Translator): string {
  const message = entry.lastMessage;
  if (!message) return t('channelList.noMessages');
  const author = message.user_id === ownUserId ? t('channelList.you') : displayName(message.user);
  if (message.deleted_at || message.type === 'deleted') return t('channelList.deleted');
  const text = message.text.trim() || (message.attachments.length ? `📎 ${t('channelList.attachment')}` : '');
  return `${author}: ${text}`;
}

/** One channel in `<ChannelList>`: avatar, name, last message, muted mark, unread badge. */
function DefaultChannelListItem({
  entry,
  selected,
  muted = false,
  focusable,
  ownUserId,
  onSelect,
  onKeyDown,
  itemRef,
}: ChannelListItemProps) {
  const t = useStrings();
  const label = labelOf(entry.channel, entry.people, t);
  const { title } = label;
  const unread = entry.unreadCount;
  return (
    // An option of the listbox (a div: ARIA roles on list elements confuse some readers).
    <div
      ref={itemRef}
      role="option"
      aria-selected={selected}
      tabIndex={focusable ? 0 : -1}
      className={`chat-channel-list__item${selected ? ' chat-channel-list__item--selected' : ''}${unread ? ' chat-channel-list__item--unread' : ''}${muted ? ' chat-channel-list__item--muted' : ''}`}
      data-testid="chat-channel-list-item"
      data-cid={entry.cid}
      data-muted={muted}
      onClick={() => onSelect(entry.cid)}
      onKeyDown={(event) => onKeyDown(event, entry.cid)}
    >
      <Avatar user={avatarOf(entry.cid, label)} />
      <span className="chat-channel-list__text">
        <span className="chat-channel-list__name">{title}</span>
        <span className="chat-channel-list__preview">{preview(entry, ownUserId, t)}</span>
      </span>
      {muted && <MutedIndicator />}
      {unread > 0 && (
        <span
          className={`chat-channel-list__badge${muted ? ' chat-channel-list__badge--muted' : ''}`}
          data-testid="chat-unread-badge"
          data-count={unread}
          data-muted={muted}
        >
          <span aria-hidden="true">{unread > 99 ? '99+' : unread}</span>
          <span className="chat-visually-hidden">{t.plural('channelList.unread', unread)}</span>
        </span>
      )}
    </div>
  );
}

export { DefaultChannelListItem };
export const ChannelListItem = replaceable('ChannelListItem', DefaultChannelListItem);
