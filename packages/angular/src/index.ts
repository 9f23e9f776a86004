export type { PushLevel, PushPreferences, PushPreferencesChange } from '@chat/core/push-preferences';
export type { Reactive } from './bind-input';
export { type ChannelList, type ChannelMute, ChannelService, type WatchedChannel } from './channel.service';
export { ChatService, type ChatUser } from './chat.service';
export { CHAT_CLIENT, type ChatConfig } from './chat-config';
export type { ScopeOptions } from './consumer-scope';
export { type ChannelMessages, MessageService, type Thread, type Typing } from './message.service';
export { NotificationService, type PushPreferencesRef } from './notification.service';
export { provideChat } from './provide-chat';
