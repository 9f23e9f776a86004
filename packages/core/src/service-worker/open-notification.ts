import type { ActiveChannels } from './active-channels';
import { OPEN_CHANNEL, type OpenChannelMessage } from './messages';
import type { ChatPushOptions } from './options';
import type {
  ChatNotificationData,
  NotificationLike,
  ServiceWorkerScopeLike,
  WindowClientLike,
} from './scope';

/** The chat data of a notification this module showed, or undefined for any other notification. */
export function chatNotificationData(notification: NotificationLike): ChatNotificationData | undefined {
  const data = notification.data;
  if (typeof data !== 'object' || data === null) return undefined;
  const { cid, message_id, url } = data as Record<string, unknown>;
  if (typeof cid !== 'string' || typeof message_id !== 'string' || typeof url !== 'string') return undefined;
  return { cid, message_id, url };
}

/**
 * What the `notificationclick` listener does with a chat notification (exported for apps with
 * their own click handling, and for tests): closes it, then focuses a window of the app (same
 * origin; the one showing that channel, else the focused one, else the most recent) and posts it
 * `{ type: 'chat.open-channel', cid, message_id }`, after navigating it to the notification's URL
 * with `navigate: true`; with no window open, opens one at that URL. Returns false, touching
 * nothing, for a notification that is not a chat one.
 */
export async function openChatNotification(
  scope: ServiceWorkerScopeLike,
  notification: NotificationLike,
  options: ChatPushOptions = {},
  channels?: ActiveChannels,
): Promise<boolean> {
  const data = chatNotificationData(notification);
  if (!data) return false;
  notification.close();
  const windows = (await scope.clients.matchAll({ type: 'window', includeUncontrolled: true })).filter(
    (window) => originOf(window.url) === scope.location.origin,
  );
  const target =
    windows.find((window) => channels?.get(window.id) === data.cid) ??
    windows.find((window) => window.focused) ??
    windows[0];
  if (!target) {
    await scope.clients.openWindow(data.url);
    return true;
  }
  // Focusing is allowed only in a click's short window of user activation: never fail on it.
  await target.focus().catch(() => undefined);
  let client: WindowClientLike = target;
  if (options.navigate && target.navigate)
    client = (await target.navigate(data.url).catch(() => null)) ?? target;
  const message: OpenChannelMessage = { type: OPEN_CHANNEL, cid: data.cid, message_id: data.message_id };
  client.postMessage(message);
  return true;
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
