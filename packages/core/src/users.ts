import type { ChatEvent, MutedUser, User } from '@chat/protocol';
import type { HttpClient } from './http-client';
import { createStore, type ReadableStore } from './store';

/** Who is online, by user id, as far as this client has heard. */
export type PresenceMap = Readonly<Record<string, boolean>>;

/** What a user ref says about presence; `last_active_at` orders refs that arrive out of order. */
export interface PresenceRef {
  id: string;
  online: boolean;
  last_active_at?: string | null;
}

/**
 * Looking users up, and their presence.
 *
 * @example
 * const [bob] = await client.users.query({ ids: ['bob'] });
 * client.users.presence.subscribe(() => console.log(client.users.isOnline('bob')));
 * await client.users.mute('spammy'); // no push from them
 */
export class Users {
  private readonly presenceStore = createStore<PresenceMap>({});
  /** Online state of every user seen in a query or a `user.presence.changed` event. */
  readonly presence: ReadableStore<PresenceMap> = this.presenceStore;
  private readonly lastActive = new Map<string, string | null>();

  constructor(private readonly http: HttpClient) {}

  /** Users by id (`ids`) or by a prefix of their id or name (`q`). */
  async query(input: { ids?: string[]; q?: string; limit?: number }): Promise<User[]> {
    const query = { ...input, ...(input.ids && { ids: input.ids.join(',') }) };
    const users = (await this.http.request('queryUsers', { query })).users;
    this.seen(users);
    return users;
  }

  /** Mutes a user: no push notification comes from them (their messages still show). */
  async mute(userId: string): Promise<MutedUser> {
    return (await this.http.request('muteUser', { params: { userId } })).mute;
  }

  async unmute(userId: string): Promise<void> {
    await this.http.request('unmuteUser', { params: { userId } });
  }

  /** The users the connected user muted, most recent first. */
  async muted(): Promise<MutedUser[]> {
    return (await this.http.request('listMutedUsers', {})).mutes;
  }

  /** Whether `userId` is online; `undefined` when this client has not heard of them yet. */
  isOnline(userId: string): boolean | undefined {
    return this.presenceStore.getSnapshot()[userId];
  }

  /**
   * When `userId`'s presence last changed (ISO time): for an offline user, when they were last
   * seen. `null` when the server has no time for them, `undefined` when this client has not heard.
   */
  lastActiveAt(userId: string): string | null | undefined {
    return this.lastActive.get(userId);
  }

  /**
   * Records what users (e.g. channel members) say about their presence. What they say arrives in
   * any order (a channel page read before an event and answered after it, a cached page, a late
   * announcement from another node): a ref older than the one already heard is ignored.
   */
  seen(users: readonly PresenceRef[]): void {
    const newer = users.filter((u) => this.isNewer(u));
    for (const u of newer) if (u.last_active_at !== undefined) this.lastActive.set(u.id, u.last_active_at);
    this.presenceStore.setState((current) => {
      const changed = newer.filter((u) => current[u.id] !== u.online);
      if (changed.length === 0) return current;
      const next = { ...current };
      for (const u of changed) next[u.id] = u.online;
      return next;
    });
  }

  private isNewer(user: PresenceRef): boolean {
    const known = this.lastActive.get(user.id);
    if (!known || !user.last_active_at) return true;
    return Date.parse(user.last_active_at) >= Date.parse(known);
  }

  /** @internal Applies presence events. */
  handleEvent(event: ChatEvent): void {
    if (event.type === 'user.presence.changed') this.seen([event.user]);
    else if (event.type === 'connection.ok') this.seen([event.user]);
  }
}
