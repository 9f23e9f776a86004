import type { Channel, ChannelSnapshot } from '@chat/core';
import { useChat, useStore } from '@chat/react';

const selectRole = (s: ChannelSnapshot) => s.membership?.role;

/**
 * What the connected user may moderate, to show only the items they can use (the server
 * decides anyway): `moderator` in this channel (its moderators and admins, and app admins), and
 * `appAdmin` (app-wide actions: time-outs, the review queue of the whole app).
 */
export function useModerationRole(channel: Channel): { moderator: boolean; appAdmin: boolean } {
  const appAdmin = useChat().user?.role === 'admin';
  const role = useStore(channel.state, selectRole);
  return { appAdmin, moderator: appAdmin || role === 'moderator' || role === 'admin' };
}
