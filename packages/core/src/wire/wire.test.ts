import { describe, expect, it } from 'vitest';
import { connectionOk, healthCheck, typingStart, wire } from '../../test/frames';
import { ValidationError } from '../errors';
import { decodeFrame, encodeFrame, FRAME_BYTES } from './frame-codec';

describe('decodeFrame', () => {
  it('accepts valid server frames as they are', () => {
    for (const frame of [
      connectionOk(),
      healthCheck(),
      typingStart(),
      { type: 'ack', id: '1', result: {} } as const,
    ]) {
      expect(decodeFrame(wire(frame))).toEqual(frame);
    }
  });

  it('decodes binary frames', () => {
    expect(decodeFrame(new TextEncoder().encode(wire(healthCheck())))).toEqual(healthCheck());
  });

  it.each([
    ['not JSON', '{nope'],
    ['no type', '{"id":"1"}'],
    ['an array', '[1,2]'],
    ['an ack without id', '{"type":"ack","result":{}}'],
    ['an error without body', '{"type":"error","id":"1"}'],
    ['a number', 42],
    ['too big', `{"type":"health.check","pad":"${'x'.repeat(FRAME_BYTES)}"}`],
  ])('drops %s', (_, data) => {
    expect(decodeFrame(data)).toBeUndefined();
  });
});

describe('encodeFrame', () => {
  it('refuses a frame over the size limit instead of letting the server close the socket', () => {
    const big = {
      type: 'typing.start',
      id: '1',
      cid: 'messaging:x',
      parent_id: 'y'.repeat(FRAME_BYTES),
    } as never;
    expect(() => encodeFrame(big)).toThrow(ValidationError);
  });

  it('measures bytes, not characters', () => {
    const emoji = '😀'.repeat(FRAME_BYTES / 4); // 4 bytes each: just over the limit with the envelope
    expect(() => encodeFrame({ type: 'auth', id: '1', token: emoji })).toThrow(ValidationError);
    expect(encodeFrame({ type: 'ping', id: '2' })).toBe('{"type":"ping","id":"2"}');
  });
});
