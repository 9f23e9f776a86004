/**
 * The parts of a service worker's global scope (`self`) and of its events that this module uses,
 * written out so the module type-checks with the DOM library (an app's `sw.ts` uses the
 * `WebWorker` one, whose `ServiceWorkerGlobalScope` fits these) and so tests can pass a fake.
 */

/** A shown notification, as `registration.getNotifications()` and `notificationclick` give it. */
export interface NotificationLike {
  readonly tag: string;
  readonly data: unknown;
  close(): void;
}

/** What `registration.showNotification` is given (the options this module sets). */
export interface ChatNotificationOptions {
  body?: string;
  tag: string;
  renotify: boolean;
  icon?: string;
  badge?: string;
  data: ChatNotificationData;
}

/** The `data` of a notification this module shows; a click reads it. */
export interface ChatNotificationData {
  cid: string;
  message_id: string;
  /** Absolute URL the notification opens. */
  url: string;
}

/** A window of the app, as `clients.matchAll({ type: 'window' })` gives it. */
export interface WindowClientLike {
  readonly id: string;
  readonly url: string;
  readonly focused: boolean;
  readonly visibilityState: string;
  focus(): Promise<unknown>;
  navigate?(url: string): Promise<WindowClientLike | null>;
  postMessage(message: unknown): void;
}

/** `self` in a service worker: the registration, the clients, the navigator (for the badge). */
export interface ServiceWorkerScopeLike {
  readonly location: { readonly origin: string };
  readonly registration: {
    readonly scope: string;
    showNotification(title: string, options: ChatNotificationOptions): Promise<void>;
    getNotifications(filter?: { tag?: string }): Promise<readonly NotificationLike[]>;
  };
  readonly clients: {
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<readonly WindowClientLike[]>;
    openWindow(url: string): Promise<unknown>;
  };
  readonly navigator?: AppBadgeNavigator;
  addEventListener(type: 'push', listener: (event: PushEventLike) => void): void;
  addEventListener(type: 'notificationclick', listener: (event: NotificationEventLike) => void): void;
  addEventListener(type: 'message', listener: (event: MessageEventLike) => void): void;
  removeEventListener(type: 'push', listener: (event: PushEventLike) => void): void;
  removeEventListener(type: 'notificationclick', listener: (event: NotificationEventLike) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEventLike) => void): void;
}

/** The Badging API, where the browser has it (Chromium on desktop, Safari for installed web apps). */
export interface AppBadgeNavigator {
  setAppBadge?(count?: number): Promise<void>;
  clearAppBadge?(): Promise<void>;
}

/** Any event a service worker may keep alive while its work finishes. */
export interface ExtendableEventLike {
  waitUntil(promise: Promise<unknown>): void;
}

/** A `push` event: `data` is null for a push without payload. */
export interface PushEventLike extends ExtendableEventLike {
  readonly data: { text(): string } | null;
}

/** A `notificationclick` event. */
export interface NotificationEventLike extends ExtendableEventLike {
  readonly notification: NotificationLike;
}

/** A `message` event from a page (`source` is its client). */
export interface MessageEventLike {
  readonly data: unknown;
  readonly source: unknown;
}
