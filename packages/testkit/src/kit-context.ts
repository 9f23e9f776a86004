import { type ChannelEvent, type ChatEvent, chatEvent, type EventOf } from '@chat/protocol';
import { checked } from './checked';
import type { FixtureStore } from './fixture-store';
import { KitError, notFound } from './kit-error';
import type { ChannelRecord, MemberRecord } from './records';

/** Where the operations' events go: the socket gateway (socket-gateway.ts). */
export interface EventSink {
  /** To every socket watching the channel; typing skips the typist's own sockets. */
  toWatchers(cid: string, event: ChatEvent, options?: { exceptUser?: string }): void;
  /** After a new message: members connected but watching it nowhere get `notification.message_new`. */
  notifyNotWatching(channel: ChannelRecord, event: EventOf<'message.new'>): void;
  /** To every socket of these users. */
  toUsers(userIds: readonly string[], event: ChatEvent): void;
}

/** What every operation works with. */
export interface KitContext {
  store: FixtureStore;
  sink: EventSink;
  /** The time now, as the wire writes it. */
  now(): string;
  /** A new message id (a UUID, as the protocol requires). */
  newId(): string;
}

/**
 * Takes the channel's next seq for an event, logs it (for resuming watchers) and sends it to
 * the channel's watchers. Every event is checked against the protocol's schema first.
 */
export function appendEvent<E extends ChannelEvent>(
  ctx: KitContext,
  channel: ChannelRecord,
  build: (seq: number, at: string) => E,
): E {
  const event = build(channel.seq + 1, ctx.now());
  checked(chatEvent, event, `${event.type} event`);
  channel.seq = event.seq;
  channel.log.push(event);
  ctx.sink.toWatchers(channel.cid, event);
  return event;
}

export type Access = 'read' | 'write';

/**
 * The channel `cid` as `userId` may use it: `read` (get, list, watch) needs membership, but for
 * `livestream` channels anyone may read; `write` (send, react, mark read, type) needs membership.
 * A channel the user may not read is "not found", whether it exists or not, as on the server.
 */
export function channelFor(
  ctx: KitContext,
  userId: string,
  cid: string,
  access: Access,
): { channel: ChannelRecord; member: MemberRecord | undefined } {
  const channel = ctx.store.channels.get(cid);
  const member = channel?.members.get(userId);
  if (!channel || (!member && channel.type !== 'livestream')) throw notFound('Channel');
  if (access === 'write' && !member)
    throw new KitError('forbidden', 'Only members of the channel may do this');
  return { channel, member };
}
