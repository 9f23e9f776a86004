/**
 * Which users have connections, across every node. In one process a map; across processes
 * Redis, where each connection is an entry that expires unless its node keeps refreshing it, so
 * the users of a crashed node go offline by themselves.
 */
export interface PresenceStore {
  /**
   * Records a connection and answers how many live connections the user had before it, anywhere.
   * Counting and recording are one atomic step, so racing connects on several nodes each see the
   * ones before them (the per-user limit holds exactly).
   */
  connect(appId: string, userId: string, connectionId: string): Promise<number>;
  /** Forgets a connection; true when the user has no live connection left anywhere. */
  disconnect(appId: string, userId: string, connectionId: string): Promise<boolean>;
  count(appId: string, userId: string): Promise<number>;
  /** Keeps this node's connections alive (called periodically). */
  refresh(connections: Iterable<{ appId: string; userId: string; connectionId: string }>): Promise<void>;
  /** Users whose last connection expired without a disconnect; each is reported to one node only. */
  sweep(): Promise<{ appId: string; userId: string }[]>;
  close(): Promise<void>;
}

export function createMemoryPresence(): PresenceStore {
  const users = new Map<string, Set<string>>();
  const key = (appId: string, userId: string) => `${appId}:${userId}`;
  return {
    async connect(appId, userId, connectionId) {
      const k = key(appId, userId);
      let set = users.get(k);
      if (!set) {
        set = new Set();
        users.set(k, set);
      }
      const before = set.size;
      set.add(connectionId);
      return before;
    },
    async disconnect(appId, userId, connectionId) {
      const k = key(appId, userId);
      const set = users.get(k);
      set?.delete(connectionId);
      if (set && set.size === 0) users.delete(k);
      return !users.has(k);
    },
    async count(appId, userId) {
      return users.get(key(appId, userId))?.size ?? 0;
    },
    async refresh() {},
    async sweep() {
      return [];
    },
    async close() {
      users.clear();
    },
  };
}
