import { computed, Injectable, inject, type Signal } from '@angular/core';
import {
  type Channel,
  type ChannelListEntry,
  type ChannelListQueryState,
  type ChannelQueryInput,
  type ChannelSnapshot,
  type ChatClient,
  type ChatError,
  sameItems,
} from '@chat/core';
import type { Observable } from 'rxjs';
import { bindInput, combine, type Reactive, read } from './bind-input';
import { CHAT_CLIENT } from './chat-config';
import { consumerScope, type ScopeOptions } from './consumer-scope';
import { storeObservable, storeSignal } from './store-bridge';

type CreateInput = Parameters<ChatClient['channels']['create']>[0];

/** A live channel list (`useChannels`): entries reorder on new messages, unread counts update. */
export interface ChannelList {
  readonly channels: Signal<readonly ChannelListEntry[]>;
  readonly loading: Signal<boolean>;
  readonly hasMore: Signal<boolean>;
  readonly error: Signal<ChatError | null>;
  readonly channels$: Observable<readonly ChannelListEntry[]>;
  /** The whole state; like every Observable here, it gives the current value on subscribe. */
  readonly state$: Observable<ChannelListQueryState>;
  /** Loads the next page (no-op while loading or without more). */
  loadMore(): Promise<void>;
  /** Loads the first page again. */
  reload(): Promise<void>;
}

/** Whether the connected user muted a channel, and the calls that change it (`useChannelMute`). */
export interface ChannelMute {
  /** The own membership's `muted` (`false` when not a member). */
  readonly muted: Signal<boolean>;
  readonly muted$: Observable<boolean>;
  /** `channel.mute()`: no push for this channel; `muted` turns true when the server answered. */
  mute(): Promise<void>;
  unmute(): Promise<void>;
  /** Mutes or unmutes, whichever the channel's state says it is not now. */
  toggle(): Promise<void>;
}

/** A channel watched while its consumer lives (`useChannel`). */
export interface WatchedChannel {
  readonly channel: Signal<Channel>;
  readonly state: Signal<ChannelSnapshot>;
  readonly state$: Observable<ChannelSnapshot>;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const selectMuted = (s: ChannelSnapshot) => s.membership?.muted ?? false;

/**
 * Channel lists, watched channels, creation and membership. Methods that return signals take
 * plain values or signals (e.g. component inputs) and must run in an injection context (a
 * field initializer), or get `{ injector }`; what they start stops when that context is destroyed.
 *
 * @example
 * readonly list = inject(ChannelService).list({ filter: { members: ['alice'] }, sort: { last_message_at: -1 } });
 * readonly general = inject(ChannelService).watch('team', 'general');
 */
@Injectable()
export class ChannelService {
  private readonly client = inject(CHAT_CLIENT);
  private readonly scope = consumerScope();
  private readonly entries = storeSignal(this.client.channels.list, this.scope);
  private readonly unreadTotal = storeSignal(this.client.channels.unreadTotal, this.scope);

  /** Channels matching `query`, first page loaded now and again whenever the query changes (by value). */
  list(query: Reactive<ChannelQueryInput>, options?: ScopeOptions): ChannelList {
    const scope = consumerScope(options);
    const bound = bindInput(scope, query, (value) => this.client.channels.paginate(value), {
      same: sameJson,
      start(listQuery) {
        // A failed load shows in `error`.
        listQuery.reload().catch(() => {});
        return undefined;
      },
    });
    const store = bound.follow((listQuery) => listQuery.state);
    const state = storeSignal(store, scope);
    return {
      channels: computed(() => state().entries),
      loading: computed(() => state().loading),
      hasMore: computed(() => state().hasMore),
      error: computed(() => state().error),
      channels$: storeObservable(store, scope, (value) => value.entries),
      state$: storeObservable(store, scope),
      loadMore: () => bound.target().loadMore(),
      reload: () => bound.target().reload(),
    };
  }

  /**
   * Watches `type:id` while the caller lives (`channel.retainWatch()`): two consumers of one
   * channel share one watch, and a changed id releases the old channel.
   */
  watch(type: Reactive<Channel['type']>, id: Reactive<string>, options?: ScopeOptions): WatchedChannel {
    const scope = consumerScope(options);
    const bound = bindInput(scope, combine(type, id), ([t, i]) => this.client.channel(t, i), {
      same: sameItems,
      start: (channel) => channel.retainWatch(),
    });
    const store = bound.follow((channel) => channel.state);
    return { channel: bound.target, state: storeSignal(store, scope), state$: storeObservable(store, scope) };
  }

  /** Creates a channel, or gets the existing one (same id, or the distinct channel of these members). */
  create(input: CreateInput): Promise<Channel> {
    return this.client.channels.create(input);
  }

  addMembers(channel: Channel, userIds: string[]): Promise<void> {
    return channel.addMembers(userIds);
  }

  removeMembers(channel: Channel, userIds: string[]): Promise<void> {
    return channel.removeMembers(userIds);
  }

  /**
   * Whether the connected user muted `channel` (e.g. `watched.channel`), and mute/unmute/toggle.
   * `muted` changes when the server answered, or on a `member.updated` from another device of
   * the user while the channel is watched.
   *
   * @example
   * readonly mute = inject(ChannelService).muting(this.general.channel);
   * // template: <button [attr.aria-pressed]="mute.muted()" (click)="mute.toggle()">Mute</button>
   */
  muting(channel: Reactive<Channel>, options?: ScopeOptions): ChannelMute {
    const scope = consumerScope(options);
    const bound = bindInput(scope, channel, (value) => value);
    const store = bound.follow((value) => value.state);
    const state = storeSignal(store, scope);
    const current = bound.target;
    return {
      muted: computed(() => selectMuted(state())),
      muted$: storeObservable(store, scope, selectMuted),
      mute: () => current().mute(),
      unmute: () => current().unmute(),
      toggle: () => (selectMuted(current().state.getSnapshot()) ? current().unmute() : current().mute()),
    };
  }

  /** Mutes `channel` for the connected user: no push for it (`channel.mute()`). */
  mute(channel: Channel): Promise<void> {
    return channel.mute();
  }

  unmute(channel: Channel): Promise<void> {
    return channel.unmute();
  }

  /** The unread total, or the unread count of channel `cid` from the channel list (`useUnreadCount`). */
  unreadCount(cid?: Reactive<string | undefined>): Signal<number> {
    return computed(() => {
      const wanted = read(cid);
      if (wanted === undefined) return this.unreadTotal();
      return this.entries().find((entry) => entry.cid === wanted)?.unreadCount ?? 0;
    });
  }
}
