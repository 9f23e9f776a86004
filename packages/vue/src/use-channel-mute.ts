import type { Channel, ChannelSnapshot } from '@chat/core';
import { type MaybeRefOrGetter, toValue } from 'vue';
import { type StoreRef, useStore } from './use-store';

/** What `useChannelMute` returns. */
export interface ChannelMuteApi {
  /** Whether the connected user muted the channel (their membership's `muted`; `false` when not a member). */
  muted: StoreRef<boolean>;
  /** `channel.mute()`: no push for this channel; `muted` turns true when the server answered. */
  mute(): Promise<void>;
  unmute(): Promise<void>;
  /** Mutes or unmutes, whichever the channel's state says it is not now. */
  toggle(): Promise<void>;
}

const selectMuted = (s: ChannelSnapshot) => s.membership?.muted ?? false;

/**
 * Whether the connected user muted `channel` (e.g. `useChannel(...).channel`), and the calls
 * that change it. `muted` changes after `mute()`/`unmute()` answer, or on a `member.updated`
 * event from another device of the user while the channel is watched.
 *
 * @example
 * const { channel } = useChannel('team', 'general');
 * const { muted, toggle } = useChannelMute(channel);
 * // <button :aria-pressed="muted" @click="toggle()">Mute</button>
 */
export function useChannelMute(channel: MaybeRefOrGetter<Channel>): ChannelMuteApi {
  const current = () => toValue(channel);
  return {
    muted: useStore(() => current().state, selectMuted),
    mute: () => current().mute(),
    unmute: () => current().unmute(),
    toggle: () => (selectMuted(current().state.getSnapshot()) ? current().unmute() : current().mute()),
  };
}
