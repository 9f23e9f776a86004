import { ACTIVE_CHANNEL, type ActiveChannelMessage, OPEN_CHANNEL, type OpenChannelMessage } from './messages';

/**
 * The page side of the messages (import these in the app, not in the worker): both are plain
 * `postMessage`s, so an app may send and read them itself.
 */

/** The parts of `navigator.serviceWorker` these helpers use. */
export interface ServiceWorkerContainerLike {
  readonly ready: Promise<{ readonly active: { postMessage(message: unknown): void } | null }>;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  startMessages?(): void;
}

function defaultContainer(): ServiceWorkerContainerLike | undefined {
  return typeof navigator === 'undefined' ? undefined : navigator.serviceWorker;
}

/**
 * Tells the service worker which channel this window shows (`null`: none), so it does not notify
 * about a channel the user is reading. Call it whenever the open channel changes. Resolves once
 * posted (after the worker is active).
 */
export async function reportActiveChannel(
  cid: string | null,
  container: ServiceWorkerContainerLike | undefined = defaultContainer(),
): Promise<void> {
  if (!container) return;
  const message: ActiveChannelMessage = { type: ACTIVE_CHANNEL, cid };
  (await container.ready).active?.postMessage(message);
}

/**
 * Calls `listener` when the user clicks a chat notification and the worker picks this window to
 * show it. Returns the function that stops listening.
 */
export function onOpenChannel(
  listener: (message: OpenChannelMessage) => void,
  container: ServiceWorkerContainerLike | undefined = defaultContainer(),
): () => void {
  if (!container) return () => {};
  const onMessage = (event: { data: unknown }) => {
    const data = event.data as Partial<OpenChannelMessage> | null;
    if (data?.type === OPEN_CHANNEL && typeof data.cid === 'string')
      listener({
        type: OPEN_CHANNEL,
        cid: data.cid,
        ...(typeof data.message_id === 'string' && { message_id: data.message_id }),
      });
  };
  container.addEventListener('message', onMessage);
  // Messages wait in a queue until the page starts it (addEventListener alone does not).
  container.startMessages?.();
  return () => container.removeEventListener('message', onMessage);
}
