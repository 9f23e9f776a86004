import type { Channel as ChannelData, Message } from '@chat/protocol';
import type { Clock, SignalSource, TimerHandle } from '../environment';
import type { Person } from '../state/channel-label';
import type { ChannelSnapshot, LocalMessage } from '../state/types';
import type { CachedChannel, CachedChannelSummary, StorageAdapter } from './storage-adapter';
import type { SyncedChannel } from './synced-channel';

/** How long state changes gather before they are written to the storage. */
const PERSIST_DELAY_MS = 300;
/** How many channels' cached messages a cold start reads at once. */
const MESSAGE_READERS = 4;

/** A list row as the record the channel handles load: only the user's own member is known yet. */
const fromSummary = (row: CachedChannelSummary) => ({
  record: {
    channel: row.channel,
    members: row.membership ? [row.membership] : [],
    read: [],
    seq: row.seq,
    last_message: row.last_message,
    unread_count: row.unread_count,
  },
  messages: row.last_message ? [row.last_message] : [],
  ...(row.people && { people: row.people }),
});

/** A message as storages keep it: without the delivery status the state layer adds. */
const toStored = ({ status: _status, error: _error, ...message }: LocalMessage): Message => message;

export interface ChannelCacheInit {
  storage: StorageAdapter;
  clock: Clock;
  /** The handle of a cid (created when missing). */
  channel(cid: string): SyncedChannel;
  /** Puts cached channels into the handles and the channel list. */
  /** `people`: a list row's other members (a record has them among its members). */
  hydrate(records: { record: CachedChannel; messages: Message[]; people?: readonly Person[] }[]): void;
  /** Then their cached messages, into the handles the network has not reloaded meanwhile. */
  hydrateMessages(records: { record: CachedChannel; messages: Message[] }[]): void;
  /** Whether the app is in the foreground: going to the background (or unloading) writes at once. */
  visible?: SignalSource;
}

/**
 * The offline cache of one connected user: loaded into the stores at connect, and channel state
 * written back as it changes (batched, best effort: the network fills the stores when the cache
 * cannot).
 */
export class ChannelCache {
  private readonly dirty = new Set<SyncedChannel>();
  /** Per cid, what the storage holds: the message objects written, and what decides a replace or a delete. */
  private readonly written = new Map<
    string,
    { messages: Set<LocalMessage>; truncatedAt: string | null; member: boolean }
  >();
  private readonly stops: (() => void)[] = [];
  private timer: TimerHandle | undefined;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly init: ChannelCacheInit) {
    // An app sent to the background (a phone switching apps) may be killed without another
    // word: what waits out PERSIST_DELAY_MS is written now. (A write started by an unload
    // itself does not survive it; only the batching delay stands between a change and a reload.)
    const stopVisible = init.visible?.subscribe((visible) => {
      if (!visible) void this.persist();
    });
    if (stopVisible) this.stops.push(stopVisible);
  }

  /**
   * Loads the cache. Each step shows something sooner than the next: the channel list from the
   * storage's list rows (one small read: no member lists), then the full records (members, read
   * states), then each channel's messages (20,000 messages are ~12 MB to clone out of IndexedDB,
   * which the list does not need), a few channels at a time, each applied as it arrives so no
   * single task is long.
   */
  async load(): Promise<void> {
    const { storage } = this.init;
    try {
      const rows = storage.getChannelList ? await storage.getChannelList() : undefined;
      if (this.closed) return;
      if (rows) {
        this.init.hydrate(rows.map(fromSummary));
        this.noteWritten(rows);
      }
      const records = await storage.getChannels();
      if (this.closed) return;
      const newest = records.map((record) => ({
        record,
        messages: record.last_message ? [record.last_message] : [],
      }));
      // A record without a list row (an adapter that lost one) still reaches the list.
      const listed = new Set(rows?.map((row) => row.cid));
      this.init.hydrateMessages(newest.filter(({ record }) => listed.has(record.channel.cid)));
      this.init.hydrate(newest.filter(({ record }) => !listed.has(record.channel.cid)));
      this.noteWritten(records);
      await this.loadMessages(records);
    } catch {
      // The cache is a best effort: the network fills the stores instead.
    }
  }

  /** Each record's cached messages, `MESSAGE_READERS` channels at a time, each hydrated as it arrives. */
  private async loadMessages(records: readonly CachedChannel[]): Promise<void> {
    const waiting = [...records];
    const reader = async () => {
      for (let record = waiting.shift(); record && !this.closed; record = waiting.shift()) {
        const messages = await this.init.storage.getMessages(record.channel.cid);
        if (this.closed) return;
        this.init.hydrateMessages([{ record, messages }]);
        this.noteWritten([record]);
      }
    };
    await Promise.all(Array.from({ length: MESSAGE_READERS }, reader));
  }

  /**
   * What was just loaded is what is stored: nothing to write back. A channel the network changed
   * meanwhile (its seq is no longer the cache's) is left out, so its state is still written.
   */
  private noteWritten(cached: readonly { channel: ChannelData; seq: number }[]): void {
    for (const { channel: data, seq } of cached) {
      const channel = this.init.channel(data.cid);
      const state = channel.state.getSnapshot();
      if (state.lastSeq !== seq) continue;
      this.written.set(channel.cid, {
        member: state.membership !== null,
        messages: new Set(state.messages),
        truncatedAt: data.truncated_at,
      });
      this.dirty.delete(channel);
    }
  }

  /** Starts persisting a channel handle's state as it changes. */
  track(channel: SyncedChannel): void {
    this.stops.push(
      channel.state.subscribe(() => {
        this.dirty.add(channel);
        this.timer ??= this.init.clock.setTimeout(() => {
          this.timer = undefined;
          void this.persist();
        }, PERSIST_DELAY_MS);
      }),
    );
  }

  /** Writes the changed channels now; resolves once written (errors are swallowed). */
  persist(): Promise<void> {
    if (this.timer !== undefined) this.init.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const channels = [...this.dirty];
    this.dirty.clear();
    this.writing = this.writing.then(() =>
      Promise.all(channels.map((c) => this.write(c.state.getSnapshot()).catch(() => {}))).then(() => {}),
    );
    return this.writing;
  }

  private async write(s: ChannelSnapshot): Promise<void> {
    const { storage } = this.init;
    if (!s.channel) return;
    // A window of the past (a jump back) is not what a cold start should show, and its last
    // message is not the channel's: the cache keeps the live list until the view returns to it.
    // Its seq stays behind too, so the next watch replays what arrived meanwhile.
    if (s.hasNewer) return;
    const before = this.written.get(s.cid);
    const member = s.membership !== null;
    // Deleted, or the user was removed from it: it leaves the cache (and the next cold start's list).
    if (s.channel.deleted_at || (before?.member && !member)) {
      this.written.delete(s.cid);
      return storage.deleteChannel(s.cid);
    }
    const sent = s.messages.filter((m) => m.status === 'sent');
    const newest = sent.at(-1);
    await storage.putChannel({
      channel: s.channel,
      members: Object.values(s.members),
      read: Object.values(s.read),
      seq: s.lastSeq,
      last_message: newest ? toStored(newest) : null,
      unread_count: s.unreadCount,
    });
    const replace = !before || before.truncatedAt !== s.channel.truncated_at;
    const changed = replace ? sent : sent.filter((m) => !before.messages.has(m));
    this.written.set(s.cid, { messages: new Set(sent), truncatedAt: s.channel.truncated_at, member });
    if (!changed.length && !replace) return;
    const plain = changed.map(toStored);
    await storage.putMessages(s.cid, plain, { replace: replace && !!before });
  }

  /** Stops at once (a load in progress puts nothing more into the stores) and writes what is pending. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of this.stops) stop();
    await this.persist();
  }
}
