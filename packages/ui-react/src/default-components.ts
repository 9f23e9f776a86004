import { DefaultAttachments } from './components/attachments';
import { DefaultAvatar } from './components/avatar';
import { DefaultChannelHeader } from './components/channel-header';
import { DefaultChannelList } from './components/channel-list';
import { DefaultChannelListItem } from './components/channel-list-item';
import { DefaultChannelMenu } from './components/channel-menu';
import { DefaultDateSeparator } from './components/date-separator';
import { DefaultMentionSuggestions } from './components/mention-suggestions';
import { DefaultMessage } from './components/message';
import { DefaultMessageActions } from './components/message-actions';
import { DefaultMessageInput } from './components/message-input/message-input';
import { DefaultMessageList } from './components/message-list/message-list';
import { DefaultMessageStatus } from './components/message-status';
import { DefaultMessageText } from './components/message-text';
import { DefaultMutedIndicator } from './components/muted-indicator';
import { DefaultNewMessagesPill } from './components/new-messages-pill';
import { DefaultNotificationSettings } from './components/notification-settings';
import { DefaultQuotedMessage } from './components/quoted-message';
import { DefaultReactionPicker } from './components/reaction-picker';
import { DefaultReactions } from './components/reactions';
import { DefaultReadReceipts } from './components/read-receipts';
import { DefaultThread } from './components/thread';
import { DefaultTypingIndicator } from './components/typing-indicator';
import type { ChatComponents } from './context/components';

/**
 * The built-in implementation of every replaceable component, for an override that wraps one:
 *
 * @example
 * const Message = (props: MessageProps) => (
 *   <div className="my-frame"><defaultComponents.Message {...props} /></div>
 * );
 * <Chat client={client} components={{ Message }}>…</Chat>
 */
export const defaultComponents: Readonly<ChatComponents> = {
  Attachments: DefaultAttachments,
  Avatar: DefaultAvatar,
  ChannelHeader: DefaultChannelHeader,
  ChannelList: DefaultChannelList,
  ChannelListItem: DefaultChannelListItem,
  ChannelMenu: DefaultChannelMenu,
  DateSeparator: DefaultDateSeparator,
  MentionSuggestions: DefaultMentionSuggestions,
  Message: DefaultMessage,
  MessageActions: DefaultMessageActions,
  MessageInput: DefaultMessageInput,
  MessageList: DefaultMessageList,
  MessageStatus: DefaultMessageStatus,
  MessageText: DefaultMessageText,
  MutedIndicator: DefaultMutedIndicator,
  NewMessagesPill: DefaultNewMessagesPill,
  NotificationSettings: DefaultNotificationSettings,
  QuotedMessage: DefaultQuotedMessage,
  ReactionPicker: DefaultReactionPicker,
  Reactions: DefaultReactions,
  ReadReceipts: DefaultReadReceipts,
  Thread: DefaultThread,
  TypingIndicator: DefaultTypingIndicator,
};
