import type { Clock, TimerHandle } from './environment';

/** How long a typist stays shown without news; the server sends `typing.stop` after 7 s too. */
export const TYPING_EXPIRY_MS = 7_000;
/** At most one `typing.start` per this long; the server relays no more often anyway. */
export const TYPING_THROTTLE_MS = 2_000;

/**
 * Expires typists locally: a `typing.stop` can be lost with a dropped socket, and a stale
 * "is typing…" is worse than none.
 */
export class TypingExpiry {
  private readonly timers = new Map<string, TimerHandle>();

  constructor(
    private readonly clock: Clock,
    private readonly expire: (userId: string) => void,
  ) {}

  touch(userId: string): void {
    this.cancel(userId);
    this.timers.set(
      userId,
      this.clock.setTimeout(() => {
        this.timers.delete(userId);
        this.expire(userId);
      }, TYPING_EXPIRY_MS),
    );
  }

  cancel(userId: string): void {
    const timer = this.timers.get(userId);
    if (timer !== undefined) this.clock.clearTimeout(timer);
    this.timers.delete(userId);
  }

  clear(): void {
    for (const timer of this.timers.values()) this.clock.clearTimeout(timer);
    this.timers.clear();
  }
}

/**
 * The user's own typing: at most one `typing.start` per `TYPING_THROTTLE_MS` however often the
 * app reports a keystroke, and a `typing.stop` only after a start.
 */
export class TypingSender {
  private sentAt: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly send: (type: 'typing.start' | 'typing.stop', parentId?: string) => void,
  ) {}

  start(parentId?: string): void {
    const now = this.clock.now();
    if (this.sentAt !== undefined && now - this.sentAt < TYPING_THROTTLE_MS) return;
    this.sentAt = now;
    this.send('typing.start', parentId);
  }

  stop(parentId?: string): void {
    if (this.sentAt === undefined) return;
    this.sentAt = undefined;
    this.send('typing.stop', parentId);
  }

  /** The connection is gone: the next keystroke starts afresh. */
  reset(): void {
    this.sentAt = undefined;
  }
}
