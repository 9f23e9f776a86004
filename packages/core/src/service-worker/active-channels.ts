import { ACTIVE_CHANNEL, messageType } from './messages';
import type { WindowClientLike } from './scope';

/**
 * Which channel each window of the app shows, as the pages report it
 * (`postMessage({ type: 'chat.active-channel', cid })`), by client id. It lives in the service
 * worker's memory: when the browser stops an idle worker it starts empty again, and pushes are
 * then shown (never wrongly hidden).
 */
export class ActiveChannels {
  private readonly byClient = new Map<string, string>();

  /** Takes a page's message; returns whether it was a `chat.active-channel` one. */
  receive(data: unknown, source: unknown): boolean {
    if (messageType(data) !== ACTIVE_CHANNEL) return false;
    const id = clientIdOf(source);
    if (id === undefined) return true;
    const cid = (data as { cid?: unknown }).cid;
    if (typeof cid === 'string' && cid) this.byClient.set(id, cid);
    else this.byClient.delete(id);
    return true;
  }

  /** The channel the window `clientId` last reported. */
  get(clientId: string): string | undefined {
    return this.byClient.get(clientId);
  }

  /**
   * Whether one of `windows` is focused, visible and shows `cid` (the user is reading it); forgets
   * the windows that are gone.
   */
  isShowing(windows: readonly WindowClientLike[], cid: string): boolean {
    const open = new Set(windows.map((window) => window.id));
    for (const id of this.byClient.keys()) if (!open.has(id)) this.byClient.delete(id);
    return windows.some(
      (window) =>
        window.focused && window.visibilityState === 'visible' && this.byClient.get(window.id) === cid,
    );
  }
}

function clientIdOf(source: unknown): string | undefined {
  if (typeof source !== 'object' || source === null) return undefined;
  const id = (source as { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}
