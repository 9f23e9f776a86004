import { ActiveChannels } from './active-channels';
import { openChatNotification } from './open-notification';
import type { ChatPushOptions } from './options';
import { parseChatPush, readPushData } from './payload';
import type { MessageEventLike, NotificationEventLike, PushEventLike, ServiceWorkerScopeLike } from './scope';
import { showChatPush } from './show-push';

/**
 * Makes the service worker show the chat's pushes: adds `push`, `notificationclick` and `message`
 * listeners to `scope` (the worker's `self`) and returns the function that removes them.
 * Pushes and notifications that are not the chat's are left alone (an app can have its own
 * handlers beside these; `onOtherPush` receives the pushes).
 *
 * @example
 * // sw.js
 * import { handleChatPush } from '@chat/core/service-worker';
 * handleChatPush(self, {
 *   urlFor: (cid) => `/?channel=${encodeURIComponent(cid)}`,
 *   fallbackTitle: 'New message',
 *   icon: '/icon.png',
 * });
 */
export function handleChatPush(scope: ServiceWorkerScopeLike, options: ChatPushOptions = {}): () => void {
  const channels = new ActiveChannels();
  const onPush = (event: PushEventLike) => {
    const data = readPushData(event.data);
    const push = parseChatPush(data);
    if (push) event.waitUntil(showChatPush(scope, push, options, channels));
    else options.onOtherPush?.(event, data);
  };
  const onClick = (event: NotificationEventLike) => {
    event.waitUntil(openChatNotification(scope, event.notification, options, channels));
  };
  const onMessage = (event: MessageEventLike) => {
    channels.receive(event.data, event.source);
  };
  scope.addEventListener('push', onPush);
  scope.addEventListener('notificationclick', onClick);
  scope.addEventListener('message', onMessage);
  return () => {
    scope.removeEventListener('push', onPush);
    scope.removeEventListener('notificationclick', onClick);
    scope.removeEventListener('message', onMessage);
  };
}
