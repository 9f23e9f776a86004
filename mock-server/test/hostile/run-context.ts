import type { Digest } from './state-digest';
import type { World } from './world';

/**
 * The digest of the applications' rows, read again only when something may have changed it: a
 * refused input leaves it as it was, so the digest after one refusal is the one before the next.
 */
export class StateTracker {
  private cached: Digest | undefined;

  constructor(private readonly w: World) {}

  async before(): Promise<Digest> {
    this.cached ??= await this.w.digest();
    return this.cached;
  }

  async after(): Promise<Digest> {
    this.cached = await this.w.digest();
    return this.cached;
  }

  /** Something was accepted: the next case reads the rows afresh. */
  invalidate(): void {
    this.cached = undefined;
  }
}

export interface RunContext {
  w: World;
  state: StateTracker;
}
