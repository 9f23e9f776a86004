import type { PushEventLike } from './scope';

/** How `handleChatPush` shows and opens chat notifications. */
export interface ChatPushOptions {
  /**
   * The page a notification opens, relative to the service worker's scope or absolute.
   * Default: `./?channel=<cid>`.
   */
  urlFor?: (cid: string, messageId: string) => string;
  /** The title when the push has none (the application's privacy mode). Default: `New message`. */
  fallbackTitle?: string;
  /** The body when the push has none (privacy mode). Default: no body. */
  fallbackBody?: string;
  /** The notification's icon URL. */
  icon?: string;
  /** The notification's `badge`: the small monochrome icon Android shows in the status bar. */
  badgeIcon?: string;
  /** Set the app icon's badge to the unread total the push carries (Badging API). Default: true. */
  appBadge?: boolean;
  /** On a click, navigate the window it focuses to the notification's URL too. Default: false. */
  navigate?: boolean;
  /**
   * A push that is not a chat push (the app's own): `data` is its JSON, or undefined when it has
   * none or is not JSON. Call `event.waitUntil` for the work it starts.
   */
  onOtherPush?: (event: PushEventLike, data: unknown) => void;
}

export const DEFAULT_TITLE = 'New message';

/** The URL a notification of `cid` opens, absolute. */
export function notificationUrl(options: ChatPushOptions, scopeUrl: string, cid: string, messageId: string) {
  const path = options.urlFor?.(cid, messageId) ?? `./?channel=${encodeURIComponent(cid)}`;
  return new URL(path, scopeUrl).href;
}
