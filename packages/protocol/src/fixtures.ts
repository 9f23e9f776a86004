/**
 * Realistic samples of every entity, frame and event, for this package's tests. Not exported from
 * the package entry point, so never part of the build.
 *
 * The maps are typed by frame and event type, so adding a frame or an event to the unions without
 * a sample here fails type checking.
 */
import { expect } from 'vitest';
import type { z } from 'zod';
import type { Channel, Draft, Member, ReadState } from './entities/channel';
import type { Message } from './entities/message';
import type { User, UserRef } from './entities/user';
import type { ChatEvent, ChatEventType, EventOf } from './events';
import type { ClientFrame, ClientFrameType } from './frames';
import type { ChannelState } from './rest/channels';
import type { UnreadResponse } from './rest/reads';
import type { ParseResult } from './wire';

export const uuid = () => crypto.randomUUID();
export const now = () => new Date().toISOString();

const t0 = '2025-03-14T09:26:53.589Z';
/** A timestamp with a non-UTC offset, which the wire accepts as well. */
const tOffset = '2025-03-14T10:26:53.589+01:00';

export const alice: User = {
  id: 'alice',
  name: 'Alice Liddell',
  image: 'https://cdn.example.com/avatars/alice.png',
  role: 'user',
  custom: { team: 'design', pronouns: 'she/her', settings: { theme: 'dark', notifications: [1, 2] } },
  online: true,
  last_active_at: now(),
  created_at: t0,
  updated_at: tOffset,
};

export const aliceRef: UserRef = { id: alice.id, name: alice.name, image: alice.image, online: alice.online };
export const bobRef: UserRef = { id: 'bob.smith@example', name: 'Bob', image: null, online: false };

export const channelCid = 'messaging:general';

export const channel: Channel = {
  cid: channelCid,
  type: 'messaging',
  id: 'general',
  name: 'General',
  image: null,
  custom: { topic: 'Everything else' },
  created_by: alice.id,
  member_count: 2,
  frozen: false,
  seq: 42,
  last_message_at: now(),
  created_at: t0,
  updated_at: now(),
  deleted_at: null,
  truncated_at: null,
};

export const member: Member = {
  cid: channelCid,
  user_id: bobRef.id,
  user: bobRef,
  role: 'moderator',
  muted: false,
  banned: false,
  ban_expires_at: null,
  unread_count: 3,
  created_at: t0,
  updated_at: now(),
};

const quoted: Omit<Message, 'quoted_message'> = {
  id: uuid(),
  cid: channelCid,
  seq: 40,
  client_msg_id: 'cm-1',
  type: 'regular',
  text: 'Lunch at noon?',
  user_id: bobRef.id,
  user: bobRef,
  attachments: [],
  mentioned_user_ids: [],
  parent_id: null,
  reply_count: 0,
  quoted_message_id: null,
  reaction_counts: {},
  own_reactions: [],
  pinned: false,
  pinned_at: null,
  pinned_by: null,
  custom: {},
  created_at: t0,
  updated_at: t0,
  edited_at: null,
  deleted_at: null,
};

export const message: Message = {
  id: uuid(),
  cid: channelCid,
  seq: 42,
  client_msg_id: `web-${uuid()}`,
  type: 'regular',
  text: 'Sure 🍕 see you there — ünïcödé welcome',
  user_id: alice.id,
  user: aliceRef,
  attachments: [
    {
      type: 'image',
      url: 'https://cdn.example.com/uploads/pizza.jpg',
      name: 'pizza.jpg',
      mime_type: 'image/jpeg',
      file_size: 204_800,
      width: 1024,
      height: 768,
      thumb_url: 'https://cdn.example.com/uploads/pizza.thumb.jpg',
    },
  ],
  mentioned_user_ids: [bobRef.id],
  parent_id: null,
  reply_count: 2,
  quoted_message_id: quoted.id,
  quoted_message: quoted,
  reaction_counts: { '👍': 2, heart: 1 },
  own_reactions: ['👍'],
  pinned: true,
  pinned_at: now(),
  pinned_by: alice.id,
  custom: { priority: 'high', tags: ['food', null, 1.5, true] },
  created_at: now(),
  updated_at: now(),
  edited_at: tOffset,
  deleted_at: null,
};

export const readState: ReadState = {
  user_id: alice.id,
  last_read_message_id: message.id,
  last_read_at: now(),
  unread_count: 0,
};

export const draft: Draft = {
  cid: channelCid,
  parent_id: null,
  text: 'half-written thought',
  updated_at: now(),
};

export const unread: UnreadResponse = {
  total_unread_count: 3,
  channels: [{ cid: channelCid, unread_count: 3, muted: false }],
};

export const channelState: ChannelState = {
  channel,
  members: [member],
  messages: [message],
  read: [readState],
  membership: member,
  draft,
};

/** One valid frame of every client frame type. */
export const clientFrames: { [T in ClientFrameType]: Extract<ClientFrame, { type: T }> } = {
  auth: { type: 'auth', id: '1', token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl' },
  'channel.watch': { type: 'channel.watch', id: '2', cid: channelCid, since: 41, message_limit: 25 },
  'channel.unwatch': { type: 'channel.unwatch', id: '3', cid: channelCid },
  'message.send': {
    type: 'message.send',
    id: '4',
    cid: channelCid,
    message: {
      client_msg_id: `web-${uuid()}`,
      text: 'Hello @bob 👋',
      attachments: [
        { type: 'file', url: 'https://cdn.example.com/report.pdf', mime_type: 'application/pdf' },
      ],
      parent_id: message.id,
      quoted_message_id: uuid(),
      mentioned_user_ids: [bobRef.id],
      custom: { source: 'web', meta: { draft: false } },
    },
  },
  'message.update': {
    type: 'message.update',
    id: '5',
    message_id: message.id,
    message: { text: 'Hello @bob (edited)', mentioned_user_ids: [] },
  },
  'message.delete': { type: 'message.delete', id: '6', message_id: message.id },
  'reaction.add': { type: 'reaction.add', id: '7', message_id: message.id, reaction_type: '🎉' },
  'reaction.remove': { type: 'reaction.remove', id: '8', message_id: message.id, reaction_type: 'thumbs_up' },
  'typing.start': { type: 'typing.start', id: '9', cid: channelCid, parent_id: message.id },
  'typing.stop': { type: 'typing.stop', id: '10', cid: channelCid },
  'read.mark': { type: 'read.mark', id: '11', cid: channelCid, message_id: message.id },
  ping: { type: 'ping', id: uuid() },
};

const about = { cid: channelCid, seq: 43, created_at: now() };

/** One valid event of every server event type. */
export const events: { [T in ChatEventType]: EventOf<T> } = {
  'connection.ok': {
    type: 'connection.ok',
    connection_id: uuid(),
    user: alice,
    unread,
    created_at: now(),
  },
  'health.check': { type: 'health.check', created_at: now() },
  'message.new': { type: 'message.new', ...about, message },
  'message.updated': { type: 'message.updated', ...about, message: { ...message, edited_at: now() } },
  'message.deleted': {
    type: 'message.deleted',
    ...about,
    message: { ...message, type: 'deleted', text: '', deleted_at: now() },
  },
  'reaction.new': { type: 'reaction.new', ...about, message, reaction: { type: '👍', user_id: alice.id } },
  'reaction.deleted': {
    type: 'reaction.deleted',
    ...about,
    message,
    reaction: { type: 'heart', user_id: 'bob' },
  },
  'typing.start': { type: 'typing.start', ...about, user: aliceRef, parent_id: null },
  'typing.stop': { type: 'typing.stop', ...about, user: aliceRef, parent_id: message.id },
  'channel.watchers': { type: 'channel.watchers', ...about, watcher_count: 2 },
  'message.read': { type: 'message.read', ...about, user: bobRef, last_read_message_id: message.id },
  'user.presence.changed': {
    type: 'user.presence.changed',
    user: { ...bobRef, online: true },
    created_at: now(),
  },
  'channel.created': { type: 'channel.created', ...about, channel },
  'channel.updated': { type: 'channel.updated', ...about, channel: { ...channel, name: 'General chat' } },
  'channel.deleted': { type: 'channel.deleted', ...about, channel: { ...channel, deleted_at: now() } },
  'channel.truncated': { type: 'channel.truncated', ...about, channel: { ...channel, truncated_at: now() } },
  'member.added': { type: 'member.added', ...about, member },
  'member.updated': { type: 'member.updated', ...about, member: { ...member, role: 'admin' } },
  'member.removed': { type: 'member.removed', ...about, user_id: bobRef.id },
  'notification.message_new': {
    type: 'notification.message_new',
    ...about,
    message,
    unread_count: 1,
    total_unread_count: 4,
  },
  'notification.added_to_channel': {
    type: 'notification.added_to_channel',
    ...about,
    channel,
    member,
    members: [member],
  },
  // User safety.
  'event.hidden': { type: 'event.hidden', ...about },
  'user.blocked': {
    type: 'user.blocked',
    user: { id: 'bob', name: 'Bob', image: null, online: false },
    created_at: now(),
  },
  'user.unblocked': {
    type: 'user.unblocked',
    user: { id: 'bob', name: 'Bob', image: null, online: false },
    created_at: now(),
  },
  'user.banned': { type: 'user.banned', expires_at: null, reason: 'spam', created_at: now() },
};

export const allEvents: ChatEvent[] = Object.values(events);

/**
 * Asserts that a parse failed with `validation_failed` and that every issue points at `path`
 * (and, when given, that one issue's message matches).
 */
export function expectRejectedAt(
  result: ParseResult<unknown>,
  path: readonly (string | number)[],
  message?: RegExp,
): void {
  expect(result.ok, 'expected the input to be rejected').toBe(false);
  if (result.ok) return;
  expect(result.error).toMatchObject({ code: 'validation_failed', status: 400, retryable: false });
  const issues = result.error.details?.issues ?? [];
  expect(issues.length).toBeGreaterThan(0);
  expect(issues.map((issue) => issue.path)).toEqual(issues.map(() => path));
  if (message) expect(issues.map((issue) => issue.message)).toContainEqual(expect.stringMatching(message));
}

/** Parses `value` with `schema`, then parses the JSON round trip of the result, and returns both. */
export function roundTrip<T>(schema: z.ZodType<T>, value: unknown): { first: T; second: T } {
  const first = schema.parse(value);
  const second = schema.parse(JSON.parse(JSON.stringify(first)));
  return { first, second };
}
