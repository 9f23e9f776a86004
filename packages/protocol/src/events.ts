import { z } from 'zod';
import { channel, member } from './entities/channel';
import { message } from './entities/message';
import { user, userRef } from './entities/user';
import { LIMITS } from './limits';
import { cid, messageId, sequence, timestamp, userId } from './primitives';
import { unreadResponse } from './rest/reads';

const at = { created_at: timestamp };
/** Every event about a channel names it and carries the channel seq it produced. */
const about = { cid, seq: sequence, ...at };
const event = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), ...shape });

export const connectionOkEvent = event('connection.ok', {
  connection_id: z.string(),
  user,
  unread: unreadResponse,
  ...at,
});
export const healthCheckEvent = event('health.check', { ...at });

export const messageNewEvent = event('message.new', { ...about, message });
export const messageUpdatedEvent = event('message.updated', { ...about, message });
export const messageDeletedEvent = event('message.deleted', { ...about, message });
export const reactionNewEvent = event('reaction.new', {
  ...about,
  message,
  reaction: z.object({ type: z.string(), user_id: userId }),
});
export const reactionDeletedEvent = event('reaction.deleted', {
  ...about,
  message,
  reaction: z.object({ type: z.string(), user_id: userId }),
});
export const typingStartEvent = event('typing.start', {
  ...about,
  user: userRef,
  parent_id: messageId.nullable(),
});
export const typingStopEvent = event('typing.stop', {
  ...about,
  user: userRef,
  parent_id: messageId.nullable(),
});
/**
 * How many users watch the channel now, across every node. Sent at most about once a second per
 * channel (changes are coalesced); like typing it carries the channel's current seq without
 * taking one.
 */
export const channelWatchersEvent = event('channel.watchers', {
  ...about,
  watcher_count: z.number().int().min(0),
});
export const messageReadEvent = event('message.read', {
  ...about,
  user: userRef,
  last_read_message_id: messageId.nullable(),
});
export const presenceChangedEvent = event('user.presence.changed', { user: userRef, ...at });
export const channelCreatedEvent = event('channel.created', { ...about, channel });
export const channelUpdatedEvent = event('channel.updated', { ...about, channel });
export const channelDeletedEvent = event('channel.deleted', { ...about, channel });
export const channelTruncatedEvent = event('channel.truncated', { ...about, channel });
export const memberAddedEvent = event('member.added', { ...about, member });
export const memberUpdatedEvent = event('member.updated', { ...about, member });
export const memberRemovedEvent = event('member.removed', { ...about, user_id: userId });
export const notificationMessageNewEvent = event('notification.message_new', {
  ...about,
  message,
  unread_count: z.number().int().min(0),
  total_unread_count: z.number().int().min(0),
});
export const notificationAddedToChannelEvent = event('notification.added_to_channel', {
  ...about,
  channel,
  member,
  /**
   * The channel's first members (in join order, the new one among them when it is one of the
   * first), so a client can name a channel that has no name — a direct message — after the people
   * in it. Absent from servers before this field.
   */
  members: z.array(member).max(LIMITS.MEMBERS_PREVIEW).optional(),
});

// User safety.
/**
 * A channel event this user may not see (a shadow-banned author's message, or one of a user they
 * blocked) took this seq: it carries nothing else, so clients advance past it instead of
 * resyncing a gap. Sent live and in replays in place of the hidden event.
 */
export const eventHiddenEvent = event('event.hidden', { ...about });
/** To the blocker's own sockets only: they blocked `user` (from another device too). */
export const userBlockedEvent = event('user.blocked', { user: userRef, ...at });
export const userUnblockedEvent = event('user.unblocked', { user: userRef, ...at });
/** To the banned user's sockets, just before the server closes them with `APP_BANNED`. */
export const userBannedEvent = event('user.banned', {
  expires_at: timestamp.nullable(),
  reason: z.string().nullable(),
  ...at,
});

/** Server → client events, one discriminated union on `type`. */
export const chatEvent = z.discriminatedUnion('type', [
  connectionOkEvent,
  healthCheckEvent,
  messageNewEvent,
  messageUpdatedEvent,
  messageDeletedEvent,
  reactionNewEvent,
  reactionDeletedEvent,
  typingStartEvent,
  typingStopEvent,
  channelWatchersEvent,
  messageReadEvent,
  presenceChangedEvent,
  channelCreatedEvent,
  channelUpdatedEvent,
  channelDeletedEvent,
  channelTruncatedEvent,
  memberAddedEvent,
  memberUpdatedEvent,
  memberRemovedEvent,
  notificationMessageNewEvent,
  notificationAddedToChannelEvent,
  eventHiddenEvent,
  userBlockedEvent,
  userUnblockedEvent,
  userBannedEvent,
]);
export type ChatEvent = z.infer<typeof chatEvent>;
export type ChatEventType = ChatEvent['type'];
/** The event of one type, e.g. `EventOf<'message.new'>`. */
export type EventOf<T extends ChatEventType> = Extract<ChatEvent, { type: T }>;
/** Events that belong to a channel (they carry `cid` and `seq`). */
export type ChannelEvent = Extract<ChatEvent, { cid: string; seq: number }>;

export const CHANNEL_EVENT_TYPES = chatEvent.options
  .filter((option) => 'seq' in option.shape)
  .map((option) => option.shape.type.value) as ChannelEvent['type'][];

export function isChannelEvent(event: ChatEvent): event is ChannelEvent {
  return 'cid' in event && 'seq' in event;
}
