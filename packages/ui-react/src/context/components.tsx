import { type ComponentType, type FunctionComponent, useContext } from 'react';
import type { AttachmentsProps } from '../components/attachments';
import type { AvatarProps } from '../components/avatar';
import type { ChannelHeaderProps } from '../components/channel-header';
import type { ChannelListProps } from '../components/channel-list';
import type { ChannelListItemProps } from '../components/channel-list-item';
import type { ChannelMenuProps } from '../components/channel-menu';
import type { DateSeparatorProps } from '../components/date-separator';
import type { MentionSuggestionsProps } from '../components/mention-suggestions';
import type { MessageProps } from '../components/message';
import type { MessageActionsProps } from '../components/message-actions';
import type { MessageInputProps } from '../components/message-input/message-input';
import type { MessageListProps } from '../components/message-list/message-list';
import type { MessageStatusProps } from '../components/message-status';
import type { MessageTextProps } from '../components/message-text';
import type { MutedIndicatorProps } from '../components/muted-indicator';
import type { NewMessagesPillProps } from '../components/new-messages-pill';
import type { NotificationSettingsProps } from '../components/notification-settings';
import type { QuotedMessageProps } from '../components/quoted-message';
import type { ReactionPickerProps } from '../components/reaction-picker';
import type { ReactionsProps } from '../components/reactions';
import type { ReadReceiptsProps } from '../components/read-receipts';
import type { ThreadProps } from '../components/thread';
import type { TypingIndicatorProps } from '../components/typing-indicator';
import { UiConfigContext } from './ui-context';

/**
 * Every replaceable component and its props. Pass replacements to `<Chat components={{ … }}>`;
 * each is used wherever the kit renders that part (a `Message` override is what the message
 * list renders for every row). To wrap a default, render it from `defaultComponents`.
 */
export interface ChatComponents {
  Attachments: ComponentType<AttachmentsProps>;
  Avatar: ComponentType<AvatarProps>;
  ChannelHeader: ComponentType<ChannelHeaderProps>;
  ChannelList: ComponentType<ChannelListProps>;
  ChannelListItem: ComponentType<ChannelListItemProps>;
  ChannelMenu: ComponentType<ChannelMenuProps>;
  DateSeparator: ComponentType<DateSeparatorProps>;
  MentionSuggestions: ComponentType<MentionSuggestionsProps>;
  Message: ComponentType<MessageProps>;
  MessageActions: ComponentType<MessageActionsProps>;
  MessageInput: ComponentType<MessageInputProps>;
  MessageList: ComponentType<MessageListProps>;
  MessageStatus: ComponentType<MessageStatusProps>;
  MessageText: ComponentType<MessageTextProps>;
  MutedIndicator: ComponentType<MutedIndicatorProps>;
  NewMessagesPill: ComponentType<NewMessagesPillProps>;
  NotificationSettings: ComponentType<NotificationSettingsProps>;
  QuotedMessage: ComponentType<QuotedMessageProps>;
  ReactionPicker: ComponentType<ReactionPickerProps>;
  Reactions: ComponentType<ReactionsProps>;
  ReadReceipts: ComponentType<ReadReceiptsProps>;
  Thread: ComponentType<ThreadProps>;
  TypingIndicator: ComponentType<TypingIndicatorProps>;
}

/**
 * The public component `name`: renders the override from `<Chat components>` if there is one,
 * else `Default`. Every part of the kit renders its children through these, so one override
 * reaches every place the part appears.
 */
export function replaceable<K extends keyof ChatComponents>(
  name: K,
  Default: ChatComponents[K],
): ChatComponents[K] {
  // Loosely typed inside: the union of every slot's props is too much for the checker, and
  // `name` ties the override to the default's props at the call site anyway.
  const fallback = Default as unknown as FunctionComponent<object>;
  function Replaceable(props: object) {
    const overrides = useContext(UiConfigContext).components as Record<string, unknown>;
    const Component = (overrides[name] ?? fallback) as FunctionComponent<object>;
    return <Component {...props} />;
  }
  Replaceable.displayName = name;
  return Replaceable as unknown as ChatComponents[K];
}
