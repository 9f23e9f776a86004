import type { Logger } from 'pino';
import { failureLevel } from '../dependency-status';
import type { Db } from '../domain/actor';
import type { Publish } from '../domain/deps';
import { toUserRef } from '../domain/views';
import type { PresenceStore } from './presence-store';

export interface PresenceOptions {
  db: Db;
  store: PresenceStore;
  publish: Publish;
  logger: Logger;
  /** How long a user with no connection stays online, so a reconnect does not flap. */
  graceMs: number;
  /** Channels larger than this do not relay their members' presence (see RealtimeConfig). */
  maxChannelMembers: number;
}

/** A user in more channels announces presence in the most recently active of them. */
const MAX_CHANNELS_ANNOUNCED = 1_000;

/**
 * Online while a user has a connection on any node. Going offline waits out a grace period.
 * Changes are written to `app_users` and announced to the connected users who share a channel
 * with them (channels up to `maxChannelMembers` members). Each node works out who those are from
 * its own sockets (gateway/member-audience.ts), so the event names channels, not every user.
 */
export class PresenceService {
  private readonly pendingOffline = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: PresenceOptions) {}

  /**
   * Records a connection and answers how many live connections the user had before it. The user
   * row is written only when it says offline (`wasOnline` is what the caller read of it): a
   * reconnect storm then costs no write per socket.
   */
  async connected(appId: string, userId: string, connectionId: string, wasOnline: boolean): Promise<number> {
    this.cancelPending(appId, userId);
    const before = await this.options.store.connect(appId, userId, connectionId);
    if (!wasOnline) await this.setOnline(appId, userId, true);
    return before;
  }

  async disconnected(appId: string, userId: string, connectionId: string): Promise<void> {
    const none = await this.options.store.disconnect(appId, userId, connectionId);
    if (!none) return;
    this.cancelPending(appId, userId);
    const timer = setTimeout(() => {
      this.pendingOffline.delete(`${appId}:${userId}`);
      void this.goOffline(appId, userId).catch((error) =>
        this.options.logger[failureLevel('warn')]({ err: error }, 'presence offline failed'),
      );
    }, this.options.graceMs);
    timer.unref();
    this.pendingOffline.set(`${appId}:${userId}`, timer);
  }

  /** Marks offline the users whose connections expired on a node that died. */
  async sweep(): Promise<void> {
    for (const { appId, userId } of await this.options.store.sweep()) {
      await this.goOffline(appId, userId);
    }
  }

  /**
   * Marks a user offline unless they have a connection. A connect elsewhere may read the row as
   * online just before this writes it (and so not write it back): counting again after the write
   * catches that connect and puts the user back online.
   */
  private async goOffline(appId: string, userId: string): Promise<void> {
    if ((await this.options.store.count(appId, userId)) > 0) return;
    await this.setOnline(appId, userId, false);
    if ((await this.options.store.count(appId, userId)) > 0) await this.setOnline(appId, userId, true);
  }

  close(): void {
    for (const timer of this.pendingOffline.values()) clearTimeout(timer);
    this.pendingOffline.clear();
  }

  private cancelPending(appId: string, userId: string): void {
    const key = `${appId}:${userId}`;
    const timer = this.pendingOffline.get(key);
    if (timer) clearTimeout(timer);
    this.pendingOffline.delete(key);
  }

  private async setOnline(appId: string, userId: string, online: boolean): Promise<void> {
    const { db } = this.options;
    const now = new Date();
    const row = await db
      .updateTable('app_users')
      .set({ is_online: online, last_active_at: now })
      .where('app_id', '=', appId)
      .where('id', '=', userId)
      .where('is_online', '=', !online)
      .returning(['external_id', 'display_name', 'image', 'is_online'])
      .executeTakeFirst();
    if (!row) return; // already in that state: nothing to announce
    const channels = await db
      .selectFrom('channel_members')
      .innerJoin('channels', 'channels.id', 'channel_members.channel_id')
      .select('channels.id')
      .where('channel_members.app_id', '=', appId)
      .where('channel_members.app_user_id', '=', userId)
      .where('channels.deleted_at', 'is', null)
      .where('channels.member_count', '>', 1)
      .where('channels.member_count', '<=', this.options.maxChannelMembers)
      .orderBy('channels.last_message_at', 'desc')
      .limit(MAX_CHANNELS_ANNOUNCED)
      .execute();
    if (channels.length === 0) return;
    this.options.publish({
      appId,
      channelId: null,
      membersOf: { channelIds: channels.map((c) => c.id), except: userId },
      event: { type: 'user.presence.changed', user: toUserRef(row), created_at: now.toISOString() },
    });
  }
}
