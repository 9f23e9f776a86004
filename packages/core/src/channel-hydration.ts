import type { Message } from '@chat/protocol';
import type { ChannelStore } from './channel-store';
import type { CachedChannel } from './offline/storage-adapter';
import { loadChannelState } from './state/channel-reducer';

/**
 * How a channel handle's state is filled from the offline cache on a cold start, in steps that
 * each come from a read of the storage: the list row (the channel, its newest message, the
 * user's membership and unread count), then the full record (members, read states), then the
 * cached messages. Each later step is skipped once the network has loaded or resumed the
 * channel (its state is then newer than the cache's), except that members and read states the
 * state still lacks are filled in.
 */
export class ChannelHydration {
  /** Loaded from the offline cache: the first watch resumes from its seq instead of loading fresh. */
  private fromCache = false;
  /** The members and read states came from the cache and may be a list row's (own member only). */
  private partial = false;

  constructor(
    private readonly store: ChannelStore,
    private readonly userId: () => string | undefined,
  ) {}

  /** Whether the next watch resumes from the cached seq; a watch asks once, and it is then forgotten. */
  takeResume(): boolean {
    const resume = this.fromCache;
    this.fromCache = false;
    return resume;
  }

  /** The server replaced the whole state (a fresh load, a query seed): nothing to fill in any more. */
  replaced(): void {
    this.partial = false;
  }

  /** First step: the cached channel (often a list row) into an empty state. */
  hydrate(record: CachedChannel, messages: readonly Message[]): void {
    if (this.store.getSnapshot().channel) return;
    this.loadRecord(record, messages);
    this.fromCache = record.seq > 0;
    this.partial = true;
  }

  /**
   * A later step: the full record, or the record with its cached messages. Loaded only while the
   * state is still the cache's (same seq, not watched since); otherwise only the members and read
   * states that the state lacks are taken from it.
   */
  hydrateMessages(record: CachedChannel, messages: readonly Message[]): void {
    const state = this.store.getSnapshot();
    if (this.fromCache && state.lastSeq === record.seq) {
      this.loadRecord(record, messages);
      this.partial = false;
      return;
    }
    if (!this.partial || !state.channel) return;
    this.partial = false;
    const members = Object.fromEntries(record.members.map((m) => [m.user_id, m]));
    const read = Object.fromEntries(record.read.map((r) => [r.user_id, r]));
    this.store.setState((s) => ({
      ...s,
      members: { ...members, ...s.members },
      read: { ...read, ...s.read },
    }));
  }

  private loadRecord(record: CachedChannel, messages: readonly Message[]): void {
    const userId = this.userId();
    const membership = record.members.find((m) => m.user_id === userId) ?? null;
    const { last_message: _newest, unread_count: unread, ...rest } = record;
    const server = { ...rest, messages: [...messages], membership, draft: null };
    this.store.setState((s) => ({
      ...loadChannelState(s, server, userId),
      lastSeq: record.seq,
      ...(unread !== undefined && { unreadCount: unread }),
    }));
  }
}
