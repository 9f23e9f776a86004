/**
 * The messages between the app's pages and its service worker (`postMessage`), in both ways.
 */

/** Page → service worker: the channel this window shows now (`null`: none, e.g. the channel list). */
export interface ActiveChannelMessage {
  type: 'chat.active-channel';
  cid: string | null;
}

/** Service worker → page: the user clicked a notification of `cid`; show that channel. */
export interface OpenChannelMessage {
  type: 'chat.open-channel';
  cid: string;
  message_id?: string;
}

export const ACTIVE_CHANNEL = 'chat.active-channel' satisfies ActiveChannelMessage['type'];
export const OPEN_CHANNEL = 'chat.open-channel' satisfies OpenChannelMessage['type'];

/** The message's `type` when it is an object with a string `type`. */
export function messageType(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const type = (data as { type?: unknown }).type;
  return typeof type === 'string' ? type : undefined;
}
