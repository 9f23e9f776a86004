import type { EndpointBody } from '@chat/protocol';
import type { ChatError } from './errors';
import { asChatError } from './errors';
import type { ChannelListEntry } from './state/channel-list';
import { createStore, deriveStore, type ReadableStore, sameItems } from './store';

export type ChannelQueryInput = EndpointBody<'queryChannels'>;

/** A paginated, live channel list: what a channel-list view shows. */
export interface ChannelListQueryState {
  /** The channels, newest activity first, kept live by events (new messages, unread counts). */
  readonly entries: readonly ChannelListEntry[];
  /** A page is being fetched. */
  readonly loading: boolean;
  /** More pages may exist on the server (`loadMore`). */
  readonly hasMore: boolean;
  /** Why the last fetch failed; `null` after one succeeds. */
  readonly error: ChatError | null;
}

interface Paging {
  readonly loading: boolean;
  readonly hasMore: boolean;
  readonly error: ChatError | null;
  readonly cursor: string | null;
}

/** Whether a channel belongs in a list queried with `filter` (what the client can tell locally). */
function matches(entry: ChannelListEntry, filter: ChannelQueryInput['filter']): boolean {
  if (!filter) return true;
  if (filter.type !== undefined) {
    const types: readonly string[] = Array.isArray(filter.type) ? filter.type : [filter.type];
    if (!types.includes(entry.channel.type)) return false;
  }
  if (filter.frozen !== undefined && entry.channel.frozen !== filter.frozen) return false;
  return true;
}

/**
 * One query of the user's channels, page by page, over the client-wide live list. Create it with
 * `client.channels.paginate(query)`; nothing is fetched until `reload()`.
 *
 * @example
 * const list = client.channels.paginate({ sort: { last_message_at: -1 }, limit: 20 });
 * list.state.subscribe(() => render(list.state.getSnapshot().entries));
 * await list.reload();
 * await list.loadMore();
 */
export class ChannelListQuery {
  readonly state: ReadableStore<ChannelListQueryState>;
  private readonly paging = createStore<Paging>({ loading: false, hasMore: true, error: null, cursor: null });
  private inFlight: Promise<void> | undefined;
  private generation = 0;

  constructor(
    readonly input: ChannelQueryInput,
    list: ReadableStore<readonly ChannelListEntry[]>,
    private readonly fetchPage: (input: ChannelQueryInput) => Promise<{ nextCursor: string | null }>,
  ) {
    const entries = deriveStore(
      [list],
      () => list.getSnapshot().filter((entry) => matches(entry, input.filter)),
      sameItems,
    );
    this.state = deriveStore([entries, this.paging], () => {
      const { loading, hasMore, error } = this.paging.getSnapshot();
      return { entries: entries.getSnapshot(), loading, hasMore, error };
    });
  }

  /** Fetches the first page again (it replaces the list). */
  reload(): Promise<void> {
    this.generation += 1;
    this.inFlight = undefined;
    return this.fetch(undefined);
  }

  /** Fetches the next page; a no-op when there is none or a fetch is running. */
  loadMore(): Promise<void> {
    const { hasMore, cursor } = this.paging.getSnapshot();
    if (this.inFlight) return this.inFlight;
    if (!hasMore || cursor === null) return Promise.resolve();
    return this.fetch(cursor);
  }

  private fetch(cursor: string | undefined): Promise<void> {
    const generation = this.generation;
    this.paging.setState((p) => ({ ...p, loading: true }));
    const run = async () => {
      try {
        const { nextCursor } = await this.fetchPage({ ...this.input, ...(cursor && { cursor }) });
        if (generation !== this.generation) return;
        this.paging.setState({
          loading: false,
          hasMore: nextCursor !== null,
          error: null,
          cursor: nextCursor,
        });
      } catch (cause) {
        if (generation !== this.generation) return;
        const error = asChatError(cause, { code: 'network_error', message: String(cause) });
        this.paging.setState((p) => ({ ...p, loading: false, error }));
        throw error;
      } finally {
        if (generation === this.generation) this.inFlight = undefined;
      }
    };
    this.inFlight = run();
    return this.inFlight;
  }
}
