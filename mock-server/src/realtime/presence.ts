import { sql } from 'kysely';
import type { Logger } from 'pino';
import { toUserRef } from '../domain/views';
import type { Publish } from '../events/published-event';
import { failureLevel } from '../kernel/dependency-status';
import type { DataAccess } from '../store/data-access';
import type { PresenceStore } from './presence-store';

export interface PresenceOptions {
  data: DataAccess;
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
/** A failed offline transition (database or Redis down) is tried again after this long. */
const OFFLINE_RETRY_MS = 2_000;

/**
 * Online while a user has a connection on any node. Going offline waits out a grace period.
 * Changes are written to `app_users` and announced to the connected users who share a channel
 * with them (channels up to `maxChannelMembers` members). Each node works out who those are from
 * its own sockets (realtime/member-audience.ts), so the event names channels, not every user.
 */
export class PresenceService {
  private readonly pendingOffline = new Map<string, NodeJS.Timeout>();
  /** Disconnects the store could not record, by connection id. */
  private readonly disconnects = new Map<string, { appId: string; userId: string; at: number }>();
  /** Offline transitions that failed, retried at each sweep. */
  private readonly offlineRetries = new Map<string, { appId: string; userId: string }>();
  /** Users whose presence changed while the store was down. */
  private readonly touched = new Map<string, { appId: string; userId: string }>();
  private degraded = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PresenceOptions) {}

  /**
   * Records a connection and answers how many live connections the user had before it. The user
   * row is written only when it says offline (`wasOnline` is what the caller read of it): a
   * reconnect storm then costs no write per socket.
   *
   * With the presence store (Redis) down, the socket is let in all the same: the answer is 0 (the
   * per-user connection limit is not enforced meanwhile) and the connection is recorded by the
   * node's refresh once the store is back (`repair`).
   */
  async connected(appId: string, userId: string, connectionId: string, wasOnline: boolean): Promise<number> {
    this.cancelPending(appId, userId);
    const before = await this.options.store.connect(appId, userId, connectionId).catch((error) => {
      this.storeFailed(error);
      return 0;
    });
    if (this.degraded) this.touched.set(`${appId}:${userId}`, { appId, userId });
    if (!wasOnline) await this.setOnline(appId, userId, true);
    return before;
  }

  /** `at`: when the socket closed (earlier than now when a failed disconnect is finished late). */
  async disconnected(appId: string, userId: string, connectionId: string, at = Date.now()): Promise<void> {
    let none: boolean;
    try {
      none = await this.options.store.disconnect(appId, userId, connectionId);
    } catch (error) {
      // Retried when the store is back: until then nobody can say whether another node still
      // holds a connection of theirs.
      this.storeFailed(error);
      this.disconnects.set(connectionId, { appId, userId, at });
      return;
    }
    if (!none) return;
    this.cancelPending(appId, userId);
    const timer = setTimeout(
      () => {
        this.pendingOffline.delete(`${appId}:${userId}`);
        void this.goOffline(appId, userId);
        // The grace counts from the close: a user who left during an outage is not kept online longer.
      },
      Math.max(0, at + this.options.graceMs - Date.now()),
    );
    timer.unref();
    this.pendingOffline.set(`${appId}:${userId}`, timer);
  }

  /** The presence store is unreachable: the changes from now on are announced again by `repair`. */
  degrade(): void {
    this.degraded = true;
  }

  /**
   * The presence store is back (and this node's connections are in it again): finishes the
   * disconnects that failed, and announces once more the presence of the users whose changes
   * were announced while the bus was down (another node may have missed them).
   */
  async repair(): Promise<void> {
    this.degraded = false;
    const disconnects = [...this.disconnects];
    this.disconnects.clear();
    for (const [connectionId, { appId, userId, at }] of disconnects)
      await this.disconnected(appId, userId, connectionId, at);
    const touched = [...this.touched.values()];
    this.touched.clear();
    // A user about to go offline is announced by that transition: announcing the row now (still
    // online) could reach clients after it.
    for (const { appId, userId } of touched)
      if (!this.pendingOffline.has(`${appId}:${userId}`)) await this.announce(appId, userId);
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
   * catches that connect and puts the user back online. A failure (the database or Redis down)
   * is retried at the next sweep, so nobody stays shown online after leaving.
   */
  private async goOffline(appId: string, userId: string): Promise<void> {
    try {
      if ((await this.options.store.count(appId, userId)) > 0) return;
      await this.setOnline(appId, userId, false);
      if ((await this.options.store.count(appId, userId)) > 0) await this.setOnline(appId, userId, true);
    } catch (error) {
      this.offlineRetries.set(`${appId}:${userId}`, { appId, userId });
      this.options.logger[failureLevel('warn')]({ err: error }, 'presence offline failed; retrying');
      this.retryTimer ??= setTimeout(() => this.retryOffline(), OFFLINE_RETRY_MS);
      this.retryTimer.unref();
    }
  }

  private async retryOffline(): Promise<void> {
    this.retryTimer = undefined;
    const retries = [...this.offlineRetries.values()];
    this.offlineRetries.clear();
    for (const { appId, userId } of retries) await this.goOffline(appId, userId);
  }

  private storeFailed(error: unknown): void {
    this.options.logger[failureLevel('warn')]({ err: error }, 'presence store unavailable');
  }

  close(): void {
    clearTimeout(this.retryTimer);
    for (const timer of this.pendingOffline.values()) clearTimeout(timer);
    this.pendingOffline.clear();
  }

  private cancelPending(appId: string, userId: string): void {
    const key = `${appId}:${userId}`;
    const timer = this.pendingOffline.get(key);
    if (timer) clearTimeout(timer);
    this.pendingOffline.delete(key);
  }

  /**
   * `last_active_at` takes the database's clock, not this node's: clients order the presence they
   * hear by it, whichever node (and whichever clock) announced it.
   */
  private async setOnline(appId: string, userId: string, online: boolean): Promise<void> {
    const row = await this.options.data
      .forApp(appId)
      .updateTable('app_users')
      .set({ is_online: online, last_active_at: sql<Date>`now()` })
      .where('id', '=', userId)
      .where('is_online', '=', !online)
      .returning(['external_id', 'display_name', 'image', 'is_online', 'last_active_at'])
      .executeTakeFirst();
    if (!row) return; // already in that state: nothing to announce
    if (this.degraded) this.touched.set(`${appId}:${userId}`, { appId, userId });
    await this.publishPresence(appId, userId, row);
  }

  /** Announces the user's presence as the database has it now. */
  private async announce(appId: string, userId: string): Promise<void> {
    const row = await this.options.data
      .forApp(appId)
      .selectFrom('app_users')
      .select(['external_id', 'display_name', 'image', 'is_online', 'last_active_at'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (row) await this.publishPresence(appId, userId, row);
  }

  private async publishPresence(
    appId: string,
    userId: string,
    row: Parameters<typeof toUserRef>[0],
  ): Promise<void> {
    const channels = await this.options.data
      .forApp(appId)
      .selectFrom('channel_members')
      .innerJoin('channels', 'channels.id', 'channel_members.channel_id')
      .select('channels.id')
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
      event: { type: 'user.presence.changed', user: toUserRef(row), created_at: new Date().toISOString() },
    });
  }
}
