export { type ChatPlugin, createChat, injectChatClient, provideChat } from './chat-context';
export type {
  ChannelType,
  ChatUser,
  PushLevel,
  PushPreferences,
  PushPreferencesChange,
} from './core-types';
export { useChannel } from './use-channel';
export { type ChannelMuteApi, useChannelMute } from './use-channel-mute';
export { type ChannelsApi, useChannels } from './use-channels';
export { useChat } from './use-chat';
export { useConnectionState } from './use-connection-state';
export { type MessagesApi, useMessages } from './use-messages';
export { usePresence } from './use-presence';
export { type PushPreferencesApi, usePushPreferences } from './use-push-preferences';
export { type StoreRef, useStore } from './use-store';
export { useThread } from './use-thread';
export { useTyping } from './use-typing';
export { useUnreadCount } from './use-unread-count';
