import type { ChannelEvent, Message, UserRef } from '@chat/protocol';
import type { ConnectionManager } from './connection/connection-manager';
import type { Environment } from './environment';
import type { HttpClient } from './http-client';
import type { ChannelSync } from './offline/write-queue';
import type { MessageFiles } from './uploads/message-files';

/** What a channel handle needs from its client. */
export interface ChannelContext {
  connection: ConnectionManager;
  http: HttpClient;
  env: Environment;
  userId(): string | undefined;
  /** The channel's unread count changed locally (e.g. `markRead`). */
  onUnreadChanged(cid: string, unreadCount: number): void;
  /** The user muted or unmuted the channel (the list's unread total follows). */
  onMuteChanged?(cid: string, muted: boolean): void;
  /** A message the user sent was stored (for the channel list). */
  onMessageSent(message: Message): void;
  /**
   * The durable write queue of the connected user. Without one (no user, or a bare handle in
   * tests) writes go straight over the socket and unsent messages live in memory only.
   */
  sync?(): ChannelSync | undefined;
  /** Users seen as channel members (their `online` seeds the presence store). */
  onUsersSeen?(users: readonly UserRef[]): void;
  /** Uploads the files of messages being sent; none on a bare handle (it cannot send files). */
  files?: MessageFiles;
  /** An event was applied (for listeners outside the channel). */
  onApplied?(event: ChannelEvent): void;
}
