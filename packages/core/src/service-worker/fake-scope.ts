import type {
  ChatNotificationOptions,
  MessageEventLike,
  NotificationEventLike,
  NotificationLike,
  PushEventLike,
  ServiceWorkerScopeLike,
  WindowClientLike,
} from './scope';

/**
 * Test helper (not exported by the entry): a service worker's `self` in memory, with the
 * notifications it shows, the windows of the app, the windows it opens and the app badge.
 */

export class FakeNotification implements NotificationLike {
  closed = false;
  constructor(
    readonly title: string,
    readonly options: ChatNotificationOptions | { tag: string; data?: unknown },
    private readonly shown: FakeNotification[],
  ) {}
  get tag(): string {
    return this.options.tag;
  }
  get data(): unknown {
    return this.options.data;
  }
  close(): void {
    this.closed = true;
    const index = this.shown.indexOf(this);
    if (index >= 0) this.shown.splice(index, 1);
  }
}

export class FakeWindow implements WindowClientLike {
  readonly messages: unknown[] = [];
  readonly navigations: string[] = [];
  focusCalls = 0;
  constructor(
    readonly id: string,
    public url: string,
    public focused = false,
    public visibilityState: 'visible' | 'hidden' = 'visible',
    /** Like a window outside a click's user activation: `focus()` rejects. */
    public focusRefused = false,
  ) {}
  async focus(): Promise<this> {
    this.focusCalls++;
    if (this.focusRefused) throw new Error('InvalidAccessError: Not allowed to focus a window.');
    this.focused = true;
    return this;
  }
  async navigate(url: string): Promise<FakeWindow> {
    this.navigations.push(url);
    this.url = url;
    return this;
  }
  postMessage(message: unknown): void {
    this.messages.push(message);
  }
}

type Listener = (event: never) => void;

export function fakeScope(options: { origin?: string; badging?: boolean } = {}) {
  const origin = options.origin ?? 'https://chat.example';
  const listeners = new Map<string, Set<Listener>>();
  const notifications: FakeNotification[] = [];
  const windows: FakeWindow[] = [];
  const opened: string[] = [];
  const badge: { value: number | undefined; calls: string[] } = { value: undefined, calls: [] };

  const scope = {
    location: { origin },
    registration: {
      scope: `${origin}/app/`,
      async showNotification(title: string, notification: ChatNotificationOptions) {
        // As browsers do: a notification with the tag of a shown one replaces it.
        for (const old of notifications.filter((n) => n.tag === notification.tag)) old.close();
        notifications.push(new FakeNotification(title, notification, notifications));
      },
      async getNotifications(filter?: { tag?: string }) {
        return notifications.filter((n) => !filter?.tag || n.tag === filter.tag);
      },
    },
    clients: {
      async matchAll() {
        return [...windows];
      },
      async openWindow(url: string) {
        opened.push(url);
        return null;
      },
    },
    navigator:
      options.badging === false
        ? {}
        : {
            async setAppBadge(count?: number) {
              badge.calls.push(`set ${count}`);
              badge.value = count || undefined;
            },
            async clearAppBadge() {
              badge.calls.push('clear');
              badge.value = undefined;
            },
          },
    addEventListener(type: string, listener: Listener) {
      if (!listeners.has(type)) listeners.set(type, new Set());
      listeners.get(type)!.add(listener);
    },
    removeEventListener(type: string, listener: Listener) {
      listeners.get(type)?.delete(listener);
    },
  } satisfies ServiceWorkerScopeLike;

  /** Dispatches an event as the browser would and waits for what it was kept alive for. */
  async function dispatch(type: string, event: object): Promise<number> {
    const pending: Promise<unknown>[] = [];
    const extendable = { ...event, waitUntil: (promise: Promise<unknown>) => void pending.push(promise) };
    for (const listener of listeners.get(type) ?? []) (listener as (event: unknown) => void)(extendable);
    await Promise.all(pending);
    return pending.length;
  }

  return {
    scope,
    notifications,
    windows,
    opened,
    badge,
    listenerCount: (type: string) => listeners.get(type)?.size ?? 0,
    /** A push whose data is `payload` as JSON (a string is sent as is; null: no data). */
    push(payload: unknown): Promise<number> {
      const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
      const event: Omit<PushEventLike, 'waitUntil'> = {
        data: payload === null ? null : { text: () => text },
      };
      return dispatch('push', event);
    },
    click(notification: NotificationLike): Promise<number> {
      const event: Omit<NotificationEventLike, 'waitUntil'> = { notification };
      return dispatch('notificationclick', event);
    },
    message(data: unknown, source: { id: string } | null): Promise<number> {
      const event: MessageEventLike = { data, source };
      return dispatch('message', event);
    },
    /** Shows a notification that is not the chat's (the app's own). */
    showForeign(tag: string, data: unknown = { kind: 'promo' }): FakeNotification {
      const notification = new FakeNotification('Sale', { tag, data }, notifications);
      notifications.push(notification);
      return notification;
    },
  };
}
