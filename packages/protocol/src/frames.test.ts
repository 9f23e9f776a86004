import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ackResults } from './acks';
import { allEvents, channelState, clientFrames, message, readState, roundTrip } from './fixtures';
import { type ClientFrame, clientFrame } from './frames';
import { parseClientFrame, parseServerFrame } from './wire';

const frameTypes = clientFrame.options.map((option) => option.shape.type.value);

describe('client frames', () => {
  it('has a sample for every frame type of the union, and no other', () => {
    expect(Object.keys(clientFrames).sort()).toEqual([...frameTypes].sort());
    expect(frameTypes).toHaveLength(12);
  });

  it.each(Object.values(clientFrames) as ClientFrame[])('$type round-trips through the schema', (frame) => {
    const { first, second } = roundTrip(clientFrame, frame);
    expect(first).toEqual(frame);
    expect(second).toEqual(first);
  });

  it.each(Object.values(clientFrames) as ClientFrame[])(
    '$type round-trips through parseClientFrame',
    (frame) => {
      const text = JSON.stringify(frame);
      const first = parseClientFrame(text);
      expect(first).toEqual({ ok: true, value: frame });
      if (!first.ok) return;
      // The same frame as UTF-8 bytes, as a WebSocket binary message delivers it.
      const second = parseClientFrame(new TextEncoder().encode(JSON.stringify(first.value)));
      expect(second).toEqual(first);
    },
  );

  it('accepts the smallest valid message.send (attachments without text, text without attachments)', () => {
    const base = { type: 'message.send', id: 'x', cid: 'team:eng' } as const;
    expect(
      parseClientFrame(JSON.stringify({ ...base, message: { client_msg_id: 'a', text: 'hi' } })).ok,
    ).toBe(true);
    const withFile = {
      ...base,
      message: { client_msg_id: 'b', attachments: [{ type: 'image', url: 'http://img.example/x.png' }] },
    };
    expect(parseClientFrame(JSON.stringify(withFile)).ok).toBe(true);
  });

  it('accepts limits exactly at the boundary', () => {
    const text = 'a'.repeat(5_000);
    const atMax = {
      type: 'message.send',
      id: 'i'.repeat(64),
      cid: `livestream:${'c'.repeat(64)}`,
      message: {
        client_msg_id: 'm'.repeat(128),
        text,
        attachments: Array.from({ length: 10 }, (_, i) => ({ type: 'file', url: `https://f.example/${i}` })),
        mentioned_user_ids: Array.from({ length: 50 }, (_, i) => `user-${i}`),
      },
    };
    expect(parseClientFrame(JSON.stringify(atMax)).ok).toBe(true);
    const watch = { type: 'channel.watch', id: '1', cid: 'messaging:a', since: Number.MAX_SAFE_INTEGER };
    expect(parseClientFrame(JSON.stringify(watch)).ok).toBe(true);
    expect(parseClientFrame(JSON.stringify({ ...watch, since: 0, message_limit: 0 })).ok).toBe(true);
  });
});

describe('acks', () => {
  const results: { [T in keyof typeof ackResults]: unknown } = {
    auth: { connection_id: crypto.randomUUID() },
    'channel.watch': { recovered: true, events: allEvents, state: channelState, watcher_count: 3 },
    'channel.unwatch': {},
    'message.send': { message },
    'message.update': { message },
    'message.delete': { message: { ...message, type: 'deleted', deleted_at: new Date().toISOString() } },
    'reaction.add': { message },
    'reaction.remove': { message },
    'typing.start': {},
    'typing.stop': {},
    'read.mark': { read: readState },
    ping: {},
  };

  it('defines a result for every frame type', () => {
    expect(Object.keys(ackResults).sort()).toEqual([...frameTypes].sort());
  });

  it.each(Object.entries(results))('the ack of %s round-trips', (type, result) => {
    const schema: z.ZodType = ackResults[type as keyof typeof ackResults];
    const { first, second } = roundTrip(schema, result);
    expect(first).toEqual(result);
    expect(second).toEqual(first);
    const frame = parseServerFrame(JSON.stringify({ type: 'ack', id: '7', result: first }));
    expect(frame).toEqual({ ok: true, value: { type: 'ack', id: '7', result } });
  });
});
