import type {
  ChannelType,
  ChatEvent,
  EndpointBody,
  Message,
  ChannelState as ServerChannelState,
} from '@chat/protocol';
import { Channel } from './channel';
import type { ChannelContext } from './channel-context';
import { ChannelListQuery } from './channel-list-query';
import { createChannelListStore } from './channel-list-store';
import type { CachedChannel } from './offline/storage-adapter';
import { channelPeople, type Person } from './state/channel-label';
import {
  type ChannelListEntry,
  entryFromState,
  mergeEntries,
  onNewMessage,
  setChannelMuted,
  setChannelUnread,
  setEntryUnread,
} from './state/channel-list';
import type { ReadableStore } from './store';

type QueryInput = EndpointBody<'queryChannels'>;
type CreateInput = EndpointBody<'createChannel'> & { type: ChannelType };

/**
 * The channels of the connected user: handles by cid, queries, creation, and two client-wide
 * stores: the channel list (newest activity first) and the total unread count.
 *
 * @example
 * await client.channels.query({ filter: { members: ['alice'] }, sort: { last_message_at: -1 } });
 * client.channels.list.subscribe(() => renderList(client.channels.list.getSnapshot()));
 */
export class Channels {
  private readonly handles = new Map<string, Channel>();
  private readonly listStore = createChannelListStore();
  /** The server gave the unread total: a late cache must not replace it. */
  private unreadFromServer = false;
  /**
   * The channel list, newest activity first; filled by `query` and kept fresh by events. Events
   * that arrive together (one socket read) notify once, in a microtask; own writes at once.
   */
  readonly list: ReadableStore<readonly ChannelListEntry[]> = this.listStore.list;
  /** The user's unread messages across all channels; notified like `list`. */
  readonly unreadTotal: ReadableStore<number> = this.listStore.unreadTotal;

  constructor(
    private readonly ctx: Omit<ChannelContext, 'onUnreadChanged' | 'onMessageSent' | 'onMuteChanged'> & {
      /** A handle was created (the offline layer persists its state). */
      onHandle?(channel: Channel): void;
    },
  ) {}

  /** The handle of `type:id`; the same handle every time. Nothing is fetched. */
  channel(type: ChannelType, id: string): Channel {
    const cid = `${type}:${id}`;
    let handle = this.handles.get(cid);
    if (!handle) {
      handle = new Channel(type, id, {
        ...this.ctx,
        onUnreadChanged: (changed, count) => this.setUnread(changed, count),
        onMuteChanged: (changed, muted) => this.listStore.update((s) => setChannelMuted(s, changed, muted)),
        onMessageSent: (message) =>
          this.listStore.update((s) => ({ ...s, entries: onNewMessage(s.entries, message) })),
      });
      this.handles.set(cid, handle);
      this.ctx.onHandle?.(handle);
    }
    return handle;
  }

  /** The handle of a cid (`type:id`). */
  byCid(cid: string): Channel {
    const at = cid.indexOf(':');
    return this.channel(cid.slice(0, at) as ChannelType, cid.slice(at + 1));
  }

  /** Cold start: cached channels into their handles and the list (before any network reply). */
  hydrate(
    cached: readonly { record: CachedChannel; messages: readonly Message[]; people?: readonly Person[] }[],
  ): void {
    const entries: ChannelListEntry[] = [];
    for (const { record, messages, people } of cached) {
      const handle = this.byCid(record.channel.cid);
      handle.hydrate(record, messages);
      const own = handle.state.getSnapshot();
      const lastMessage = own.messages.filter((m) => m.status === 'sent').at(-1) ?? null;
      const muted = own.membership?.muted ?? false;
      entries.push({
        cid: own.cid,
        channel: record.channel,
        lastMessage,
        unreadCount: own.unreadCount,
        muted,
        people: people ?? channelPeople(record.members, own.membership?.user_id),
      });
    }
    this.listStore.update((s) => {
      // A slow storage may answer after the network: what the network gave wins.
      const known = new Set(s.entries.map((e) => e.cid));
      const fresh = entries.filter((e) => !known.has(e.cid));
      if (!fresh.length) return s;
      const merged = mergeEntries(s.entries, fresh);
      const total = this.unreadFromServer
        ? s.unreadTotal
        : merged.reduce((n, e) => (e.muted ? n : n + e.unreadCount), 0);
      return { entries: merged, unreadTotal: total };
    });
  }

  /** Cold start, second step: each cached channel's messages (see `Channel.hydrateMessages`). */
  hydrateMessages(cached: readonly { record: CachedChannel; messages: readonly Message[] }[]): void {
    for (const { record, messages } of cached)
      this.byCid(record.channel.cid).hydrateMessages(record, messages);
  }

  private fromState(state: ServerChannelState): Channel {
    const handle = this.channel(state.channel.type, state.channel.id);
    handle.seed(state);
    return handle;
  }

  /** Queries channels; the result (first page, or a later one with `cursor`) goes into `list`. */
  async query(input: QueryInput = {}): Promise<{ channels: Channel[]; nextCursor: string | null }> {
    const result = await this.ctx.http.request('queryChannels', { body: input });
    const channels = result.channels.map((state) => this.fromState(state));
    // A watched channel's own state is live, while the query's count was taken when it was sent
    // (a `markRead` since then would be undone by it).
    const entries = result.channels.map((state) => {
      const entry = entryFromState(state);
      const handle = this.handles.get(entry.cid);
      return handle?.isWatching ? { ...entry, unreadCount: handle.state.getSnapshot().unreadCount } : entry;
    });
    this.listStore.update((s) => ({ ...s, entries: mergeEntries(s.entries, entries, !input.cursor) }));
    return { channels, nextCursor: result.next_cursor };
  }

  /**
   * A paginated view of the channel list for this query (see `ChannelListQuery`): call
   * `reload()` to fetch the first page, `loadMore()` for the next.
   */
  paginate(input: QueryInput = {}): ChannelListQuery {
    return new ChannelListQuery(input, this.list, (page) => this.query(page));
  }

  /** Creates a channel (or gets the existing one: with an id, or the distinct one of these members). */
  async create(input: CreateInput): Promise<Channel> {
    const state = await this.ctx.http.request('createChannel', { body: input });
    this.listStore.update((s) => ({ ...s, entries: mergeEntries(s.entries, [entryFromState(state)]) }));
    return this.fromState(state);
  }

  /** Channels being watched. */
  watched(): Channel[] {
    return [...this.handles.values()].filter((c) => c.isWatching);
  }

  /** After `disconnect()`: no channel is watched any more, and the client-wide stores empty. */
  reset(): void {
    for (const handle of this.handles.values()) handle.detach();
    this.handles.clear();
    this.unreadFromServer = false;
    this.listStore.update(() => ({ entries: [], unreadTotal: 0 }));
  }

  /**
   * After a reconnect: resumes every watched channel with `since`, then refreshes the unread
   * counts (what was missed meanwhile is not replayed to the list).
   */
  async resumeAll(): Promise<void> {
    await Promise.allSettled(this.watched().map((c) => c.resync()));
    try {
      const unread = await this.ctx.http.request('getUnread', {});
      this.listStore.update((s) => ({
        entries: unread.channels.reduce(
          (list, { cid, unread_count }) => setEntryUnread(list, cid, unread_count),
          s.entries,
        ),
        unreadTotal: unread.total_unread_count,
      }));
    } catch {
      // Best effort: the next notification corrects the counts.
    }
  }

  /**
   * After any connection opens: loads the watched channels whose watch could not be sent yet (a
   * view retained them before the first connection, or their load failed).
   */
  resumeUnloaded(): void {
    for (const channel of this.watched()) {
      const { error, channel: loaded, loading } = channel.state.getSnapshot();
      if (error || (!loaded && !loading)) void channel.resync().catch(() => {});
    }
  }

  private setUnread(cid: string, count: number): void {
    this.listStore.update((s) => setChannelUnread(s, cid, count));
  }

  /** Routes a server event: to its channel handle (if any) and to the client-wide stores. */
  handleEvent(event: ChatEvent): void {
    if (event.type === 'connection.ok') this.unreadFromServer = true;
    // Notifications are about channels the user does not watch: only the list follows them.
    else if ('cid' in event && !event.type.startsWith('notification.')) {
      this.handles.get(event.cid)?.handleEvent(event);
    }
    this.listStore.applyEvent(event, this.ctx.userId());
  }
}
