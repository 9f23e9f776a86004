import type { ActiveChannels } from './active-channels';
import { setAppBadge } from './app-badge';
import { type ChatPushOptions, DEFAULT_TITLE, notificationUrl } from './options';
import type { ChatPush } from './payload';
import type { ChatNotificationOptions, ServiceWorkerScopeLike } from './scope';

/** What a chat push did: a notification shown, one held back (the user reads that channel), or cleared. */
export type ChatPushOutcome = 'shown' | 'suppressed' | 'cleared';

/**
 * What the `push` listener does with a chat push (exported for apps that dispatch pushes
 * themselves, and for tests):
 *
 * - `message.new`: shows a notification tagged with `tag` (one per channel: a new one replaces the
 *   last, and alerts again), with the push's title and body or the fallbacks in privacy mode, and
 *   `data: { cid, message_id, url }`; unless a focused, visible window of the app reported that
 *   it shows this channel (`channels`). The badge follows the push either way.
 * - `message.read`: closes the notifications tagged `tag` and sets the badge; shows nothing.
 */
export async function showChatPush(
  scope: ServiceWorkerScopeLike,
  push: ChatPush,
  options: ChatPushOptions = {},
  channels?: ActiveChannels,
): Promise<ChatPushOutcome> {
  const badge = options.appBadge === false ? undefined : setAppBadge(scope.navigator, push.badge);
  try {
    if (push.type === 'message.read') {
      const shown = await scope.registration.getNotifications({ tag: push.tag });
      for (const notification of shown) if (notification.tag === push.tag) notification.close();
      return 'cleared';
    }
    if (channels) {
      const windows = await scope.clients.matchAll({ type: 'window', includeUncontrolled: true });
      if (channels.isShowing(windows, push.cid)) return 'suppressed';
    }
    const body = push.body ?? options.fallbackBody;
    const notification: ChatNotificationOptions = {
      ...(body !== undefined && { body }),
      tag: push.tag,
      renotify: true,
      ...(options.icon !== undefined && { icon: options.icon }),
      ...(options.badgeIcon !== undefined && { badge: options.badgeIcon }),
      data: {
        cid: push.cid,
        message_id: push.message_id,
        url: notificationUrl(options, scope.registration.scope, push.cid, push.message_id),
      },
    };
    await scope.registration.showNotification(
      push.title ?? options.fallbackTitle ?? DEFAULT_TITLE,
      notification,
    );
    return 'shown';
  } finally {
    await badge;
  }
}
