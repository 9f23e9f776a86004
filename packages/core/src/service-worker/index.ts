/**
 * `@chat/core/service-worker`: Web Push in the app's service worker (`handleChatPush`), and the
 * page side of its messages (`reportActiveChannel`, `onOpenChannel`). Separate from the main
 * entry: no client code, no dependency, a few KB.
 */
export { ActiveChannels } from './active-channels';
export { setAppBadge } from './app-badge';
export { handleChatPush } from './handle-chat-push';
export {
  ACTIVE_CHANNEL,
  type ActiveChannelMessage,
  OPEN_CHANNEL,
  type OpenChannelMessage,
} from './messages';
export { chatNotificationData, openChatNotification } from './open-notification';
export { type ChatPushOptions, DEFAULT_TITLE } from './options';
export { onOpenChannel, reportActiveChannel, type ServiceWorkerContainerLike } from './page';
export { type ChatPush, parseChatPush, readPushData } from './payload';
export type {
  AppBadgeNavigator,
  ChatNotificationData,
  ChatNotificationOptions,
  ExtendableEventLike,
  MessageEventLike,
  NotificationEventLike,
  NotificationLike,
  PushEventLike,
  ServiceWorkerScopeLike,
  WindowClientLike,
} from './scope';
export { type ChatPushOutcome, showChatPush } from './show-push';
