import type { Connection } from './connection';

/** Told whenever a socket starts or stops watching a channel, whatever the reason. */
export interface WatchListener {
  started(conn: Connection, channelId: string, cid: string): void;
  stopped(conn: Connection, channelId: string): void;
}

/** This node's authenticated sockets, indexed by user and by watched channel. */
export class Registry {
  readonly all = new Set<Connection>();
  private readonly byUser = new Map<string, Set<Connection>>();
  private readonly byChannel = new Map<string, Set<Connection>>();
  /** Per watched channel, its watching users and how many of their sockets watch it. */
  private readonly watchingUsers = new Map<string, Map<string, number>>();
  private readonly seqs = new Map<string, number>();

  constructor(private readonly listener?: WatchListener) {}

  add(conn: Connection): void {
    this.all.add(conn);
    addTo(this.byUser, conn.userId!, conn);
  }

  remove(conn: Connection): void {
    this.all.delete(conn);
    if (conn.userId) removeFrom(this.byUser, conn.userId, conn);
    for (const channelId of [...conn.watching.keys()]) this.unwatch(conn, channelId);
  }

  watch(conn: Connection, channelId: string, cid: string, canType = false): void {
    // A socket that closed while its watch request was in flight is already removed: adding it
    // now would keep it (and deliveries to it) in the index for good.
    if (conn.closed) return;
    const already = conn.watching.has(channelId);
    conn.watching.set(channelId, { cid, canType });
    addTo(this.byChannel, channelId, conn);
    if (already) return;
    this.countWatchingUser(channelId, conn.userId!, +1);
    this.listener?.started(conn, channelId, cid);
  }

  /** Remembers the newest seq seen of a watched channel (typing events carry it). */
  noteSeq(channelId: string, seq: number): void {
    if (!this.byChannel.has(channelId)) return;
    if (seq > (this.seqs.get(channelId) ?? -1)) this.seqs.set(channelId, seq);
  }

  seqOf(channelId: string): number | undefined {
    return this.seqs.get(channelId);
  }

  unwatch(conn: Connection, channelId: string): void {
    if (!conn.watching.delete(channelId)) return;
    removeFrom(this.byChannel, channelId, conn);
    this.countWatchingUser(channelId, conn.userId!, -1);
    if (!this.byChannel.has(channelId)) this.seqs.delete(channelId);
    this.listener?.stopped(conn, channelId);
  }

  /** Stops the sockets watching a channel that `match` picks (all of them without it). */
  unwatchChannel(channelId: string, match: (conn: Connection) => boolean = () => true): void {
    for (const conn of [...(this.byChannel.get(channelId) ?? [])]) {
      if (match(conn)) this.unwatch(conn, channelId);
    }
  }

  /** The channels watched by a socket here. */
  watchedChannels(): IterableIterator<string> {
    return this.byChannel.keys();
  }

  watchers(channelId: string): ReadonlySet<Connection> {
    return this.byChannel.get(channelId) ?? EMPTY;
  }

  ofUser(userId: string): ReadonlySet<Connection> {
    return this.byUser.get(userId) ?? EMPTY;
  }

  /** How many users have a socket here watching the channel. */
  watchingUserCount(channelId: string): number {
    return this.watchingUsers.get(channelId)?.size ?? 0;
  }

  /** How many users have a socket here. */
  get userCount(): number {
    return this.byUser.size;
  }

  users(): IterableIterator<string> {
    return this.byUser.keys();
  }

  private countWatchingUser(channelId: string, userId: string, delta: 1 | -1): void {
    let users = this.watchingUsers.get(channelId);
    if (!users) {
      users = new Map();
      this.watchingUsers.set(channelId, users);
    }
    const sockets = (users.get(userId) ?? 0) + delta;
    if (sockets > 0) users.set(userId, sockets);
    else users.delete(userId);
    if (users.size === 0) this.watchingUsers.delete(channelId);
  }
}

const EMPTY: ReadonlySet<Connection> = new Set();

function addTo(map: Map<string, Set<Connection>>, key: string, conn: Connection): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(conn);
}

function removeFrom(map: Map<string, Set<Connection>>, key: string, conn: Connection): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(conn);
  if (set.size === 0) map.delete(key);
}
