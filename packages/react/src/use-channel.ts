import type { Channel, ChannelSnapshot } from '@chat/core';
import { useEffect, useMemo } from 'react';
import { useChatClient } from './chat-context';
import { useStore } from './use-store';

type ChannelType = Channel['type'];

/** What `useChannel` returns. */
export interface ChannelResult {
  /** The handle (the same one for the same cid): pass it to `useMessages`, `useTyping`, … */
  channel: Channel;
  /** The channel's whole state; select a slice with `useStore(channel.state, select)` to render less. */
  state: ChannelSnapshot;
}

/**
 * The handle of channel `type:id` and its state, watched while the component is mounted.
 * Watching is reference-counted in core (`retainWatch`), so two components on one channel share
 * one watch, and a StrictMode remount or a quick switch back causes no unwatch/watch round trip.
 *
 * @example
 * const { channel, state } = useChannel('team', 'general');
 * if (state.loading && !state.channel) return <Spinner />;
 * return <MessageList channel={channel} />;
 */
export function useChannel(type: ChannelType, id: string): ChannelResult {
  const client = useChatClient('useChannel');
  // Core hands out the same handle per cid; nothing is fetched here.
  const channel = client.channel(type, id);
  // Acquire after commit, release in cleanup: a render that never commits (or a server render)
  // watches nothing, and a changed type/id releases the old channel before retaining the new.
  useEffect(() => channel.retainWatch(), [channel]);
  const state = useStore(channel.state);
  return useMemo(() => ({ channel, state }), [channel, state]);
}
