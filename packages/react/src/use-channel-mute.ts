import type { Channel, ChannelSnapshot } from '@chat/core';
import { useMemo } from 'react';
import { useStore } from './use-store';

/** What `useChannelMute` returns. */
export interface ChannelMuteResult {
  /** Whether the connected user muted the channel (their membership's `muted`; `false` when not a member). */
  muted: boolean;
  /** `channel.mute()`: no push for this channel; `muted` turns true when the server answered. */
  mute(): Promise<void>;
  unmute(): Promise<void>;
  /** Mutes or unmutes, whichever the channel's state says it is not now. */
  toggle(): Promise<void>;
}

const selectMuted = (s: ChannelSnapshot) => s.membership?.muted ?? false;

/**
 * Whether the connected user muted `channel`, and the calls that change it. Re-renders only
 * when `muted` changes: after `mute()`/`unmute()` answer, or a `member.updated` event from
 * another device of the user (while the channel is watched).
 *
 * @example
 * const { channel } = useChannel('team', 'general');
 * const { muted, toggle } = useChannelMute(channel);
 * <button aria-pressed={muted} onClick={() => void toggle()}>Mute</button>
 */
export function useChannelMute(channel: Channel): ChannelMuteResult {
  const muted = useStore(channel.state, selectMuted);
  return useMemo(
    () => ({
      muted,
      mute: () => channel.mute(),
      unmute: () => channel.unmute(),
      toggle: () => (selectMuted(channel.state.getSnapshot()) ? channel.unmute() : channel.mute()),
    }),
    [channel, muted],
  );
}
