/**
 * Who is typing where, on this node. A start is relayed at most once per `throttleMs` per user
 * and channel (keystrokes refresh it quietly), and a start not refreshed within `timeoutMs`
 * expires into a stop that the server sends itself. Nothing here touches the database.
 */
export class TypingTracker<T> {
  private readonly active = new Map<string, { lastRelayed: number; timer: NodeJS.Timeout; info: T }>();

  constructor(
    private readonly options: { throttleMs: number; timeoutMs: number; onExpire: (info: T) => void },
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a start; true when it should be relayed now. */
  start(key: string, info: T): boolean {
    const entry = this.active.get(key);
    const now = this.now();
    if (entry) clearTimeout(entry.timer);
    const timer = setTimeout(() => {
      this.active.delete(key);
      this.options.onExpire(info);
    }, this.options.timeoutMs);
    timer.unref();
    const relay = !entry || now - entry.lastRelayed >= this.options.throttleMs;
    this.active.set(key, { lastRelayed: relay ? now : entry!.lastRelayed, timer, info });
    return relay;
  }

  /** Records a stop; true when the user was typing (so the stop should be relayed). */
  stop(key: string): boolean {
    const entry = this.active.get(key);
    if (!entry) return false;
    clearTimeout(entry.timer);
    this.active.delete(key);
    return true;
  }

  /** Stops everything matching, e.g. all of a user's typing when their last socket closes. */
  stopWhere(match: (info: T) => boolean): T[] {
    const stopped: T[] = [];
    for (const [key, entry] of this.active) {
      if (!match(entry.info)) continue;
      clearTimeout(entry.timer);
      this.active.delete(key);
      stopped.push(entry.info);
    }
    return stopped;
  }

  close(): void {
    for (const entry of this.active.values()) clearTimeout(entry.timer);
    this.active.clear();
  }
}
