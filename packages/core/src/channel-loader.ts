import type { ChannelEvent } from '@chat/protocol';
import type { ChannelContext } from './channel-context';
import type { ChannelHydration } from './channel-hydration';
import type { ChannelStore } from './channel-store';
import { asChatError } from './errors';
import { applyChannelEvents, loadChannelState } from './state/channel-reducer';

/**
 * A channel handle's loads over the socket (`channel.watch`), one at a time: fresh, or resumed
 * from the last applied seq. Events that arrive while a load is in flight are held, then applied
 * after it in seq order.
 */
export class ChannelLoader {
  /** Events that arrived while a (re)load was in flight; applied after it. */
  private buffer: ChannelEvent[] | undefined;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly cid: string,
    private readonly ctx: ChannelContext,
    private readonly store: ChannelStore,
    private readonly hydration: ChannelHydration,
    private readonly messageLimit: () => number,
    /** Applies a held event once the load is done. */
    private readonly apply: (event: ChannelEvent) => void,
  ) {}

  /** Holds `event` when a load is in flight (it is applied after it); says whether it did. */
  hold(event: ChannelEvent): boolean {
    if (!this.buffer) return false;
    this.buffer.push(event);
    return true;
  }

  /** Loads the channel: from the last applied seq (`resume`), or fresh. */
  load(resume: boolean): Promise<void> {
    if (this.loading) return this.loading;
    this.buffer = [];
    this.store.setState((s) => ({ ...s, loading: true }));
    const since = resume ? this.store.getSnapshot().lastSeq || undefined : undefined;
    const limit = this.messageLimit();
    const run = async () => {
      let loaded = false;
      try {
        const result = await this.ctx.connection.request({
          type: 'channel.watch',
          cid: this.cid,
          ...(since !== undefined && { since }),
          message_limit: limit,
        });
        let state = this.store.getSnapshot();
        if (since !== undefined && result.recovered) {
          const events = result.events.filter(
            (event): event is ChannelEvent => 'seq' in event && 'cid' in event,
          );
          state = applyChannelEvents(state, events, this.ctx.userId()).state;
        } else {
          state = loadChannelState(state, result.state, this.ctx.userId(), limit);
          this.hydration.replaced();
        }
        this.store.setState({ ...state, error: null, watcherCount: result.watcher_count });
        this.ctx.onUsersSeen?.(Object.values(state.members).map((m) => m.user));
        loaded = true;
      } catch (cause) {
        this.store.setState((s) => ({
          ...s,
          error: asChatError(cause, { code: 'network_error', message: String(cause) }),
        }));
        throw cause;
      } finally {
        // After a failure the buffered events are dropped: the next resume (on reconnect) or
        // gap fetches them again, rather than retrying in a loop here.
        const buffered = loaded ? (this.buffer ?? []) : [];
        this.buffer = undefined;
        this.loading = undefined;
        this.store.setState((s) => ({ ...s, loading: false }));
        for (const event of buffered.sort((a, b) => a.seq - b.seq)) this.apply(event);
      }
    };
    this.loading = run();
    return this.loading;
  }
}
