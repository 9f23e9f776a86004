import { z } from 'zod';
import { channel, draft, member, readState } from '../entities/channel';
import { message } from '../entities/message';
import { LIMITS } from '../limits';
import {
  channelId,
  channelType,
  customData,
  httpUrl,
  name,
  pageLimit,
  safeString,
  timestamp,
  userId,
} from '../primitives';

/**
 * Create a channel. With `id` it is that channel; without, it is the distinct channel of exactly
 * these members (the same people always get the same conversation).
 */
export const createChannelBody = z
  .strictObject({
    type: channelType,
    id: channelId.optional(),
    name: name.optional(),
    image: httpUrl.optional(),
    members: z.array(userId).max(LIMITS.IDS_PER_REQUEST).optional(),
    custom: customData.optional(),
    /** Server-side calls only: who the channel is created by. */
    created_by_id: userId.optional(),
  })
  .refine((body) => body.id !== undefined || (body.members?.length ?? 0) >= 2, {
    message: 'Give an id, or at least two members for a distinct channel',
    path: ['members'],
  });
export type CreateChannelBody = z.infer<typeof createChannelBody>;

const timeRange = z.strictObject({ gt: timestamp.optional(), lt: timestamp.optional() });

export const queryChannelsBody = z.strictObject({
  filter: z
    .strictObject({
      type: z.union([channelType, z.array(channelType).min(1).max(3)]).optional(),
      /** Channels that have all of these users as members. */
      members: z.array(userId).min(1).max(LIMITS.IDS_PER_REQUEST).optional(),
      last_message_at: timeRange.optional(),
      frozen: z.boolean().optional(),
      /**
       * `true`: instead of the caller's channels, the public ones they could join and are not in
       * (types any user of the app may read and join, such as `livestream`): a "browse" list.
       */
      joinable: z.literal(true).optional(),
    })
    .optional(),
  sort: z
    .strictObject({
      last_message_at: z.union([z.literal(1), z.literal(-1)]).optional(),
      created_at: z.union([z.literal(1), z.literal(-1)]).optional(),
    })
    .refine((s) => Object.keys(s).length <= 1, { message: 'Sort by one field' })
    .optional(),
  limit: pageLimit.optional(),
  /** Messages included per channel (0 for none). */
  message_limit: z.number().int().min(0).max(LIMITS.PAGE_SIZE_MAX).optional(),
  cursor: safeString(512).optional(),
});
export type QueryChannelsBody = z.infer<typeof queryChannelsBody>;

export const updateChannelBody = z
  .strictObject({
    name: name.nullable().optional(),
    image: httpUrl.nullable().optional(),
    custom: customData.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'Give at least one field to change' });
export type UpdateChannelBody = z.infer<typeof updateChannelBody>;

/** A channel with what a client needs to show it. */
export const channelState = z.object({
  channel,
  members: z.array(member),
  messages: z.array(message),
  read: z.array(readState),
  /** The caller's own membership, or null when they watch without being a member. */
  membership: member.nullable(),
  draft: draft.nullable(),
});
export type ChannelState = z.infer<typeof channelState>;

export const channelResponse = z.object({ channel });
export const channelStateResponse = channelState;
export const channelListResponse = z.object({
  channels: z.array(channelState),
  next_cursor: z.string().nullable(),
});
export type ChannelListResponse = z.infer<typeof channelListResponse>;
