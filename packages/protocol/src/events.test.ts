import { describe, expect, it } from 'vitest';
import { CHANNEL_EVENT_TYPES, type ChatEvent, chatEvent, isChannelEvent } from './events';
import { allEvents, events, expectRejectedAt, message, roundTrip } from './fixtures';
import { parseServerFrame, validateInput } from './wire';

const eventTypes = chatEvent.options.map((option) => option.shape.type.value);

describe('server events', () => {
  it('has a sample for every event type of the union, and no other', () => {
    expect(Object.keys(events).sort()).toEqual([...eventTypes].sort());
    expect(eventTypes).toHaveLength(25);
  });

  it.each(allEvents)('$type round-trips through the schema', (event) => {
    const { first, second } = roundTrip(chatEvent, event);
    expect(first).toEqual(event);
    expect(second).toEqual(first);
  });

  it.each(allEvents)('$type round-trips through parseServerFrame', (event) => {
    const first = parseServerFrame(JSON.stringify(event));
    expect(first).toEqual({ ok: true, value: event });
    if (!first.ok) return;
    expect(parseServerFrame(JSON.stringify(first.value))).toEqual(first);
  });

  it('keeps a quoted message embedded one level deep', () => {
    const parsed = chatEvent.parse(JSON.parse(JSON.stringify(events['message.new'])));
    expect(parsed.type === 'message.new' && parsed.message.quoted_message?.text).toBe('Lunch at noon?');
  });

  it('tolerates fields added by a newer server, dropping them (readers are lenient, writers strict)', () => {
    const newer = { ...events['typing.start'], future_field: { x: 1 } };
    const parsed = chatEvent.parse(newer);
    expect(parsed).toEqual(events['typing.start']);
    expect(parsed).not.toHaveProperty('future_field');
  });

  it('marks exactly the events that carry cid and seq as channel events', () => {
    const expected = allEvents.filter((e) => 'cid' in e && 'seq' in e).map((e) => e.type);
    expect([...CHANNEL_EVENT_TYPES].sort()).toEqual(expected.sort());
    expect(CHANNEL_EVENT_TYPES).not.toContain('connection.ok');
    expect(CHANNEL_EVENT_TYPES).not.toContain('health.check');
    expect(CHANNEL_EVENT_TYPES).not.toContain('user.presence.changed');
    for (const event of allEvents) {
      expect(isChannelEvent(event)).toBe(CHANNEL_EVENT_TYPES.includes(event.type as never));
    }
  });

  const malformed: { name: string; input: unknown; path: (string | number)[]; message?: RegExp }[] = [
    {
      name: 'unknown type',
      input: { type: 'message.exploded', created_at: new Date().toISOString() },
      path: ['type'],
    },
    { name: 'missing message', input: { ...events['message.new'], message: undefined }, path: ['message'] },
    { name: 'negative seq', input: { ...events['message.new'], seq: -1 }, path: ['seq'] },
    { name: 'fractional seq', input: { ...events['member.removed'], seq: 4.2 }, path: ['seq'] },
    {
      name: 'timestamp without an offset',
      input: { ...events['health.check'], created_at: '2025-03-14T09:26:53' },
      path: ['created_at'],
    },
    { name: 'bad cid', input: { ...events['typing.stop'], cid: 'general' }, path: ['cid'] },
    {
      name: 'message with a bad id',
      input: { ...events['message.updated'], message: { ...message, id: 'msg-1' } },
      path: ['message', 'id'],
    },
    {
      name: 'attachment with a javascript: url',
      input: {
        ...events['message.new'],
        message: { ...message, attachments: [{ type: 'image', url: 'javascript:alert(1)' }] },
      },
      path: ['message', 'attachments', 0, 'url'],
    },
    {
      name: 'attachment with a protocol-relative url (another host)',
      input: {
        ...events['message.new'],
        message: { ...message, attachments: [{ type: 'image', url: '//evil.example/x.png' }] },
      },
      path: ['message', 'attachments', 0, 'url'],
    },
    {
      name: 'negative unread count',
      input: { ...events['notification.message_new'], unread_count: -3 },
      path: ['unread_count'],
    },
  ];

  it.each(malformed)('rejects an event with $name', ({ input, path, message }) => {
    expectRejectedAt(validateInput(chatEvent, input), path, message);
    expectRejectedAt(parseServerFrame(JSON.stringify(input)), path, message);
  });

  it('narrows by type at run time as well', () => {
    const seen: string[] = [];
    for (const event of allEvents as ChatEvent[]) {
      if (event.type === 'message.new') seen.push(event.message.id);
    }
    expect(seen).toEqual([message.id]);
  });
});
