import type { ChannelEvent, Message } from '@chat/protocol';
import type { ConnectionManager } from './connection/connection-manager';
import type { Environment } from './environment';
import type { HttpClient } from './http-client';

/** What a channel handle needs from its client. */
export interface ChannelContext {
  connection: ConnectionManager;
  http: HttpClient;
  env: Environment;
  userId(): string | undefined;
  /** The channel's unread count changed locally (e.g. `markRead`). */
  onUnreadChanged(cid: string, unreadCount: number): void;
  /** A message the user sent was stored (for the channel list). */
  onMessageSent(message: Message): void;
  /** An event was applied (for listeners outside the channel). */
  onApplied?(event: ChannelEvent): void;
}
