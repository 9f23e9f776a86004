/**
 * Type-level tests. `tsc --noEmit -p .` (the `typecheck` script) checks the `expectTypeOf`
 * assertions and the `@ts-expect-error` lines; vitest runs the same functions over real samples.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { AckResult } from './acks';
import type { Member } from './entities/channel';
import type { Message } from './entities/message';
import type { User, UserRef } from './entities/user';
import type { ErrorBody, ErrorCode } from './errors';
import { makeError } from './errors';
import {
  type ChannelEvent,
  type ChatEvent,
  type ChatEventType,
  type EventOf,
  isChannelEvent,
} from './events';
import { allEvents, clientFrames } from './fixtures';
import type { ClientFrame, ClientFrameType } from './frames';
import type { CustomData, customData } from './primitives';
import type { EndpointBody, EndpointResponse } from './rest/endpoints';
import type { SendMessageBody, UpdateMessageBody } from './rest/messages';
import { type ParseResult, parseClientFrame, type ServerFrame } from './wire';

/** What an SDK's event handler looks like: a switch on `type` that narrows the event. */
function describeEvent(event: ChatEvent): string {
  switch (event.type) {
    case 'message.new':
      expectTypeOf(event).toEqualTypeOf<EventOf<'message.new'>>();
      expectTypeOf(event.message).toEqualTypeOf<Message>();
      expectTypeOf(event.seq).toEqualTypeOf<number>();
      return `new:${event.message.text}`;
    case 'typing.start':
    case 'typing.stop':
      expectTypeOf(event.user).toEqualTypeOf<UserRef>();
      expectTypeOf(event.parent_id).toEqualTypeOf<string | null>();
      expectTypeOf(event).not.toHaveProperty('message');
      return `${event.type}:${event.user.id}`;
    case 'member.added':
      expectTypeOf(event.member).toEqualTypeOf<Member>();
      return `member:${event.member.user_id}`;
    case 'member.removed':
      expectTypeOf(event.user_id).toEqualTypeOf<string>();
      expectTypeOf(event).not.toHaveProperty('member');
      return `removed:${event.user_id}`;
    case 'connection.ok':
      expectTypeOf(event.user).toEqualTypeOf<User>();
      expectTypeOf(event).not.toHaveProperty('cid');
      return `connected:${event.user.id}`;
    case 'user.presence.changed':
      expectTypeOf(event.user.online).toEqualTypeOf<boolean>();
      return `presence:${event.user.online}`;
    default:
      expectTypeOf(event.type).toEqualTypeOf<
        Exclude<
          ChatEventType,
          | 'message.new'
          | 'typing.start'
          | 'typing.stop'
          | 'member.added'
          | 'member.removed'
          | 'connection.ok'
          | 'user.presence.changed'
        >
      >();
      return event.type;
  }
}

/** The server's side: a switch on a client frame's `type`. */
function describeFrame(frame: ClientFrame): string {
  switch (frame.type) {
    case 'message.send':
      expectTypeOf(frame.message).toEqualTypeOf<SendMessageBody>();
      expectTypeOf(frame.message.text).toEqualTypeOf<string | undefined>();
      return `send:${frame.cid}`;
    case 'message.update':
      expectTypeOf(frame.message).toEqualTypeOf<UpdateMessageBody>();
      expectTypeOf(frame).not.toHaveProperty('cid');
      return `update:${frame.message_id}`;
    case 'channel.watch':
      expectTypeOf(frame.since).toEqualTypeOf<number | undefined>();
      return `watch:${frame.since}`;
    case 'auth':
      expectTypeOf(frame.token).toEqualTypeOf<string>();
      return 'auth';
    case 'ping':
      expectTypeOf(frame).toEqualTypeOf<{ type: 'ping'; id: string }>();
      return 'ping';
    default:
      expectTypeOf(frame.type).toEqualTypeOf<
        Exclude<ClientFrameType, 'message.send' | 'message.update' | 'channel.watch' | 'auth' | 'ping'>
      >();
      return frame.type;
  }
}

describe('type narrowing', () => {
  it('narrows ChatEvent on type', () => {
    const described = allEvents.map(describeEvent);
    expect(described).toContain('new:Sure 🍕 see you there — ünïcödé welcome');
    expect(described).toContain('typing.start:alice');
    expect(described).toContain('removed:bob.smith@example');
    expect(described).toContain('connected:alice');
    expect(described).toContain('channel.truncated');
  });

  it('narrows ClientFrame on type', () => {
    expect(Object.values(clientFrames).map(describeFrame)).toEqual([
      'auth',
      'watch:41',
      'channel.unwatch',
      'send:messaging:general',
      `update:${clientFrames['message.update'].message_id}`,
      'message.delete',
      'reaction.add',
      'reaction.remove',
      'typing.start',
      'typing.stop',
      'read.mark',
      'ping',
    ]);
  });

  it('EventOf picks one event', () => {
    expectTypeOf<EventOf<'typing.start'>>().toHaveProperty('user').toEqualTypeOf<UserRef>();
    expectTypeOf<EventOf<'typing.start'>['type']>().toEqualTypeOf<'typing.start'>();
    expectTypeOf<EventOf<'message.new'>>().toHaveProperty('message').toEqualTypeOf<Message>();
    expectTypeOf<EventOf<'health.check'>>().toEqualTypeOf<{ type: 'health.check'; created_at: string }>();
    // @ts-expect-error not an event type
    expectTypeOf<EventOf<'message.exploded'>>().toBeNever();
  });

  it('ChannelEvent holds exactly the events with cid and seq, and isChannelEvent narrows to it', () => {
    expectTypeOf<
      Extract<ChannelEvent['type'], 'connection.ok' | 'health.check' | 'user.presence.changed'>
    >().toBeNever();
    expectTypeOf<'message.new'>().toExtend<ChannelEvent['type']>();
    const event = allEvents[2] as ChatEvent;
    if (isChannelEvent(event)) {
      expectTypeOf(event).toEqualTypeOf<ChannelEvent>();
      expectTypeOf(event.seq).toEqualTypeOf<number>();
      expect(event.cid).toBe('messaging:general');
    } else {
      expect.unreachable('message.new is a channel event');
    }
  });

  it('ParseResult narrows on ok', () => {
    const result = parseClientFrame('{"type":"ping","id":"1"}');
    expectTypeOf(result).toEqualTypeOf<ParseResult<ClientFrame>>();
    if (result.ok) {
      expectTypeOf(result.value).toEqualTypeOf<ClientFrame>();
      expect(result.value.type).toBe('ping');
    } else {
      expectTypeOf(result.error).toEqualTypeOf<ErrorBody>();
      expect.unreachable('a ping is valid');
    }
  });

  it('types acks, endpoints, errors and custom data', () => {
    expectTypeOf<AckResult<'message.send'>>().toEqualTypeOf<{ message: Message }>();
    expectTypeOf<AckResult<'ping'>>().toEqualTypeOf<Record<string, never>>();
    expectTypeOf<EndpointBody<'sendMessage'>>().toHaveProperty('client_msg_id').toEqualTypeOf<string>();
    expectTypeOf<EndpointBody<'getMe'>>().toBeNever();
    expectTypeOf<EndpointResponse<'getMessage'>>().toEqualTypeOf<{ message: Message }>();
    expectTypeOf<Extract<ServerFrame, { type: 'ack' }>>().toHaveProperty('result').toBeUnknown();
    expectTypeOf<'rate_limited'>().toExtend<ErrorCode>();
    expectTypeOf(makeError).parameter(0).toEqualTypeOf<ErrorCode>();
    // @ts-expect-error not an error code
    expect(() => makeError('teapot', 'I am a teapot')).toThrow(TypeError);
    // Custom data reads and writes the same JSON type: checking it on the raw input does not widen what callers send.
    expectTypeOf<z.input<typeof customData>>().toEqualTypeOf<z.output<typeof customData>>();
    expectTypeOf<CustomData>().toEqualTypeOf<Record<string, z.core.util.JSONType>>();
    expect(makeError('forbidden', 'No').status).toBe(403);
  });
});
