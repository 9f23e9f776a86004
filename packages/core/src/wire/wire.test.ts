import {
  endpoints,
  LIMITS,
  CLOSE_CODES as PROTOCOL_CLOSE_CODES,
  TERMINAL_CLOSE_CODES as PROTOCOL_TERMINAL,
} from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { connectionOk, healthCheck, typingStart, wire } from '../../test/frames';
import { ValidationError } from '../errors';
import { CLOSE_CODES, TERMINAL_CLOSE_CODES } from './close-codes';
import { decodeFrame, encodeFrame, FRAME_BYTES } from './frame-codec';
import { ROUTES } from './routes';

// Core keeps zod-free copies of a few protocol values (bundle size); these prove they match.
describe('copies of protocol values', () => {
  it('close codes and the terminal set equal the protocol', () => {
    expect(CLOSE_CODES).toEqual(PROTOCOL_CLOSE_CODES);
    expect([...TERMINAL_CLOSE_CODES].sort()).toEqual([...PROTOCOL_TERMINAL].sort());
  });

  it('every REST route equals the protocol endpoint table', () => {
    const fromProtocol = Object.fromEntries(
      Object.entries(endpoints).map(([name, e]) => [name, { method: e.method, path: e.path, auth: e.auth }]),
    );
    expect(ROUTES).toEqual(fromProtocol);
  });

  it('the frame size limit equals the protocol', () => {
    expect(FRAME_BYTES).toBe(LIMITS.FRAME_BYTES);
  });
});

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
