import { z } from 'zod';
import { channelType } from '../primitives';

/** What someone can do to or in a channel; each channel type says the least standing each needs. */
export const CHANNEL_ACTIONS = [
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
export type ChannelAction = (typeof CHANNEL_ACTIONS)[number];

/** A user's standing in one channel, lowest first: `none` for users of the app who are not members. */
export const CHANNEL_STANDINGS = ['none', 'member', 'moderator', 'admin'] as const;
export const channelStanding = z.enum(CHANNEL_STANDINGS);
export type ChannelStanding = z.infer<typeof channelStanding>;

const channelAction = z.enum(CHANNEL_ACTIONS);

/**
 * An application's changes to the default permission table: per channel type, per action, the
 * least standing it needs. What is not named keeps the default.
 */
export const channelTypeOverrides = z.partialRecord(
  channelType,
  z.partialRecord(channelAction, channelStanding),
);
export type ChannelTypeOverrides = z.infer<typeof channelTypeOverrides>;

/** The whole table: every type, every action. */
export const channelTypePermissions = z.record(channelType, z.record(channelAction, channelStanding));
export type ChannelTypePermissions = z.infer<typeof channelTypePermissions>;

/** An application's configuration as the portal shows it, in one place. */
export const applicationConfig = z.object({
  allow_registration: z.boolean(),
  allowed_origins: z.array(z.string()),
  /** The permission table in force: the defaults with the overrides applied. */
  channel_types: channelTypePermissions,
  channel_type_overrides: channelTypeOverrides,
});
export type ApplicationConfig = z.infer<typeof applicationConfig>;
export const applicationConfigResponse = z.object({ config: applicationConfig });

/** `channel_type_overrides` replaces the app's overrides as a whole (`{}`: back to the defaults). */
export const updateApplicationConfigBody = z.strictObject({ channel_type_overrides: channelTypeOverrides });
export type UpdateApplicationConfigBody = z.infer<typeof updateApplicationConfigBody>;
