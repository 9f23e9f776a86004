import type { ChannelType, MemberRole } from '@chat/protocol';
import type { Actor } from '../../kernel/actor';
import { ChatError } from '../../kernel/errors';

/** What someone can do to or in a channel. */
export const ACTIONS = [
  'read', // get the channel, list and watch its messages
  'join', // add oneself as a member
  'send', // send messages
  'react',
  'mark_read',
  'typing',
  'pin',
  'update_channel',
  'freeze',
  'truncate',
  'delete_channel',
  'add_members',
  'remove_members', // remove others; leaving is always allowed
  'set_role',
  'ban',
  'delete_any_message',
  // Set the channel's slow mode; who may set it is exempt from it.
  'slow_mode',
] as const;
export type Action = (typeof ACTIONS)[number];

/** A user's standing in one channel: `none` for users of the app who are not members. */
export type ChannelStanding = 'none' | MemberRole;

const RANK: Record<ChannelStanding, number> = { none: 0, member: 1, moderator: 2, admin: 3 };

/**
 * The least standing each action needs, per channel type. `messaging` is a conversation among
 * equals, `team` is run by its moderators, and `livestream` may be watched by anyone in the app.
 * App admins and server-side calls may do everything.
 */
export const PERMISSIONS: Record<ChannelType, Record<Action, ChannelStanding>> = {
  messaging: {
    read: 'member',
    join: 'admin',
    send: 'member',
    react: 'member',
    mark_read: 'member',
    typing: 'member',
    pin: 'member',
    update_channel: 'member',
    freeze: 'moderator',
    truncate: 'admin',
    delete_channel: 'admin',
    add_members: 'member',
    remove_members: 'moderator',
    set_role: 'admin',
    ban: 'moderator',
    delete_any_message: 'moderator',
    slow_mode: 'moderator',
  },
  team: {
    read: 'member',
    join: 'moderator',
    send: 'member',
    react: 'member',
    mark_read: 'member',
    typing: 'member',
    pin: 'member',
    update_channel: 'moderator',
    freeze: 'moderator',
    truncate: 'admin',
    delete_channel: 'admin',
    add_members: 'moderator',
    remove_members: 'moderator',
    set_role: 'admin',
    ban: 'moderator',
    delete_any_message: 'moderator',
    slow_mode: 'moderator',
  },
  livestream: {
    read: 'none',
    join: 'none',
    send: 'member',
    react: 'member',
    mark_read: 'member',
    typing: 'member',
    pin: 'moderator',
    update_channel: 'moderator',
    freeze: 'moderator',
    truncate: 'admin',
    delete_channel: 'admin',
    add_members: 'moderator',
    remove_members: 'moderator',
    set_role: 'admin',
    ban: 'moderator',
    delete_any_message: 'moderator',
    slow_mode: 'moderator',
  },
};

/**
 * Types whose channels any user of the app may join on their own (`join` needs no standing):
 * the public channels a "browse" list offers. Derived from the table, so a new public type joins it.
 */
export const JOINABLE_TYPES: readonly ChannelType[] = (Object.keys(PERMISSIONS) as ChannelType[]).filter(
  (type) => PERMISSIONS[type].join === 'none',
);

export function can(actor: Actor, type: ChannelType, standing: ChannelStanding, action: Action): boolean {
  if (actor.server || actor.role === 'admin') return true;
  return RANK[standing] >= RANK[PERMISSIONS[type][action]];
}

/** Throws `forbidden` unless the actor may do `action`. */
export function authorize(actor: Actor, type: ChannelType, standing: ChannelStanding, action: Action): void {
  if (!can(actor, type, standing, action)) {
    throw new ChatError('forbidden', `Not allowed to ${action.replace(/_/g, ' ')} in this ${type} channel`);
  }
}
