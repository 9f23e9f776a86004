import {
  CHANNEL_ACTIONS,
  type ChannelAction,
  type ChannelStanding,
  type ChannelType,
  type ChannelTypeOverrides,
} from '@chat/protocol';
import type { Actor } from '../../kernel/actor';
import { ChatError } from '../../kernel/errors';

/** What someone can do to or in a channel (the list lives in the protocol, with the portal's configuration). */
export const ACTIONS = CHANNEL_ACTIONS;
export type Action = ChannelAction;

/** A user's standing in one channel: `none` for users of the app who are not members. */
export type { ChannelStanding };

const RANK: Record<ChannelStanding, number> = { none: 0, member: 1, moderator: 2, admin: 3 };

/**
 * The least standing each action needs, per channel type. `messaging` is a conversation among
 * equals, `team` is run by its moderators, and `livestream` may be watched by anyone in the app.
 * App admins and server-side calls may do everything.
 */
export type PermissionTable = Record<ChannelType, Record<Action, ChannelStanding>>;

export const PERMISSIONS: PermissionTable = {
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
 * The tables of the applications that changed the defaults (portal: `PATCH …/config`), by app id.
 * Kept current on each node by whatever reads the application's row (every request and socket
 * does, at most `APP_CACHE_MS` apart) and, on realtime nodes, by the bus the moment it changes;
 * an application without changes has no entry and uses `PERMISSIONS`.
 */
const appTables = new Map<string, PermissionTable>();

/** Applies an application's overrides to the defaults: the table in force for it. */
export function effectiveTable(overrides: ChannelTypeOverrides): PermissionTable {
  const table = {} as PermissionTable;
  for (const type of Object.keys(PERMISSIONS) as ChannelType[]) {
    table[type] = { ...PERMISSIONS[type], ...overrides[type] };
  }
  return table;
}

/** Records the application's overrides (`{}`: the defaults) for this node's checks. */
export function useAppPermissions(appId: string, overrides: ChannelTypeOverrides): void {
  const changed = Object.values(overrides).some((actions) => actions && Object.keys(actions).length > 0);
  if (changed) appTables.set(appId, effectiveTable(overrides));
  else appTables.delete(appId);
}

/** The permission table in force for the application. */
export function permissionTableOf(appId: string): PermissionTable {
  return appTables.get(appId) ?? PERMISSIONS;
}

/**
 * Types whose channels any user of the app may join on their own (`join` needs no standing):
 * the public channels a "browse" list offers. Derived from the app's table, so a type made
 * public joins it.
 */
export function joinableTypes(appId: string): ChannelType[] {
  const table = permissionTableOf(appId);
  return (Object.keys(table) as ChannelType[]).filter((type) => table[type].join === 'none');
}

export function can(actor: Actor, type: ChannelType, standing: ChannelStanding, action: Action): boolean {
  if (actor.server || actor.role === 'admin') return true;
  return RANK[standing] >= RANK[permissionTableOf(actor.appId)[type][action]];
}

/** Throws `forbidden` unless the actor may do `action`. */
export function authorize(actor: Actor, type: ChannelType, standing: ChannelStanding, action: Action): void {
  if (!can(actor, type, standing, action)) {
    throw new ChatError('forbidden', `Not allowed to ${action.replace(/_/g, ' ')} in this ${type} channel`);
  }
}
