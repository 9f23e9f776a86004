export { Attachments, type AttachmentsProps } from './components/attachments';
export { Avatar, type AvatarProps } from './components/avatar';
export { BrowseChannels, type BrowseChannelsProps } from './components/browse-channels';
export { Channel, type ChannelProps } from './components/channel';
export { ChannelHeader, type ChannelHeaderProps } from './components/channel-header';
export { ChannelList, type ChannelListProps } from './components/channel-list';
export { ChannelListItem, type ChannelListItemProps } from './components/channel-list-item';
export { ChannelMenu, type ChannelMenuProps } from './components/channel-menu';
export { Chat, type ChatProps, type ChatTheme } from './components/chat';
export { ChatLayout, type ChatLayoutProps } from './components/chat-layout';
export { DateSeparator, type DateSeparatorProps } from './components/date-separator';
export { LinkPreviews, type LinkPreviewsProps } from './components/link-previews';
export { MentionSuggestions, type MentionSuggestionsProps } from './components/mention-suggestions';
export { Message, type MessageProps } from './components/message';
export { MessageActions, type MessageActionsProps } from './components/message-actions';
export { MessageInput, type MessageInputProps } from './components/message-input/message-input';
export { MessageList, type MessageListProps } from './components/message-list/message-list';
export { MessageStatus, type MessageStatusProps } from './components/message-status';
export { MessageText, type MessageTextProps } from './components/message-text';
export {
  BlockedUsers,
  type BlockedUsersProps,
  PinnedMessages,
  type PinnedMessagesProps,
  ReviewQueue,
  type ReviewQueueProps,
} from './components/moderation/lazy-moderation';
export { MutedIndicator, type MutedIndicatorProps } from './components/muted-indicator';
export { NewMessagesPill, type NewMessagesPillProps } from './components/new-messages-pill';
export {
  NotificationSettings,
  type NotificationSettingsProps,
} from './components/notification-settings';
export { QuotedMessage, type QuotedMessageProps } from './components/quoted-message';
export { DEFAULT_REACTIONS, ReactionPicker, type ReactionPickerProps } from './components/reaction-picker';
export type { ReactionRef, ReactionsLoader } from './components/reaction-users/reactors-store';
export { Reactions, type ReactionsProps } from './components/reactions';
export { ReadReceipts, type ReadReceiptsProps } from './components/read-receipts';
export { SearchPanel, type SearchPanelProps } from './components/search-panel';
export { Thread, type ThreadProps } from './components/thread';
export { TypingIndicator, type TypingIndicatorProps } from './components/typing-indicator';
export {
  type ChannelActions,
  type ComposerState,
  useActiveChannel,
  useChannelActions,
  useComposer,
} from './context/channel-context';
export type { ChatComponents } from './context/components';
export { jumpToMessage } from './context/jump-target';
export { type ChatLayoutState, useChatLayout } from './context/layout-context';
export { type ChannelSelection, useChannelSelection } from './context/selection-context';
export { useStrings } from './context/ui-context';
export type { Attachment, ChannelData, Member, ReadState, UserRef } from './core-types';
export { defaultComponents } from './default-components';
export {
  type ChatStringKey,
  type ChatStrings,
  createTranslator,
  defaultStrings,
  type StringValues,
  type Translator,
} from './i18n/strings';
export { safeLinkHref } from './text/link-href';
export { linkify, safeHttpUrl, type TextSegment } from './text/linkify';
