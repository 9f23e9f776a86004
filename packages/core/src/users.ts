import type { ChatEvent, MutedUser, User } from '@chat/protocol';
import type { HttpClient } from './http-client';
import { createStore, type ReadableStore } from './store';

/** Who is online, by user id, as far as this client has heard. */
export type PresenceMap = Readonly<Record<string, boolean>>;

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

  /** Records what users (e.g. channel members) say about their presence. */
  seen(users: readonly { id: string; online: boolean }[]): void {
    this.presenceStore.setState((current) => {
      const changed = users.filter((u) => current[u.id] !== u.online);
      if (changed.length === 0) return current;
      const next = { ...current };
      for (const u of changed) next[u.id] = u.online;
      return next;
    });
  }

  /** @internal Applies presence events. */
  handleEvent(event: ChatEvent): void {
    if (event.type === 'user.presence.changed') this.seen([event.user]);
    else if (event.type === 'connection.ok') this.seen([event.user]);
  }
}
