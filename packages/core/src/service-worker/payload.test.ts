import { pushPayload } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { parseChatPush, readPushData } from './payload';

const NEW = {
  type: 'message.new',
  cid: 'team:general',
  message_id: 'm1',
  sender_id: 'bob',
  title: 'bob in #general',
  body: 'lunch?',
  badge: 3,
  tag: 'team:general',
} as const;
const READ = { type: 'message.read', cid: 'team:general', badge: 0, tag: 'team:general' } as const;

describe('parseChatPush', () => {
  it('reads every payload the protocol allows as it is', () => {
    const { title: _t, body: _b, ...privacy } = NEW;
    for (const payload of [NEW, privacy, READ, { ...READ, badge: 7 }]) {
      expect(pushPayload.parse(payload)).toEqual(payload);
      expect(parseChatPush(payload)).toEqual(payload);
    }
  });

  it('leaves pushes that are not the chat’s to the app', () => {
    for (const value of [
      undefined,
      null,
      42,
      'message.new',
      [],
      [NEW],
      {},
      { title: 'Sale', body: '50% off' },
      { type: 'promo', cid: 'team:general' },
      { ...NEW, type: 'message.updated' },
      { ...NEW, cid: undefined },
      { ...NEW, cid: '' },
      { ...NEW, cid: 7 },
      { ...NEW, message_id: undefined },
      { ...READ, type: undefined },
    ])
      expect(parseChatPush(value), JSON.stringify(value)).toBeUndefined();
  });

  it('is lenient where a field only changes how the push shows', () => {
    expect(parseChatPush({ ...NEW, badge: -1, tag: '' })).toEqual({
      ...NEW,
      tag: 'team:general',
      badge: undefined,
    });
    expect(parseChatPush({ ...NEW, badge: 1.5, title: 3, body: null })).not.toHaveProperty('badge');
    const lenient = parseChatPush({ ...NEW, badge: '2', title: 3, body: null, tag: undefined, sender_id: 1 });
    expect(lenient).toEqual({
      type: 'message.new',
      cid: 'team:general',
      message_id: 'm1',
      tag: 'team:general',
    });
    expect(parseChatPush({ type: 'message.read', cid: 'team:x' })).toEqual({
      type: 'message.read',
      cid: 'team:x',
      tag: 'team:x',
    });
  });
});

describe('readPushData', () => {
  it('parses JSON, and gives undefined for no data or data that is not JSON, never throwing', () => {
    expect(readPushData({ text: () => '{"a":1}' })).toEqual({ a: 1 });
    expect(readPushData(null)).toBeUndefined();
    expect(readPushData({ text: () => '{not json' })).toBeUndefined();
    expect(readPushData({ text: () => '' })).toBeUndefined();
  });
});
