import type { ChatEvent } from '@chat/protocol';
import { CLOSE_CODES } from '@chat/protocol/constants';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeSockets } from '../../test/fake-websocket';
import { healthCheck, typingStart } from '../../test/frames';
import { resolveEnvironment } from '../environment';
import { NetworkError, PermissionError, ValidationError } from '../errors';
import { decodeFrame } from '../wire/frame-codec';
import type { SocketClose } from './close-policy';
import { DEFAULT_TIMINGS, Socket } from './socket';

function open() {
  const ws = fakeSockets();
  const events: ChatEvent[] = [];
  const closes: SocketClose[] = [];
  const onOpen = vi.fn();
  const socket = new Socket({
    ...DEFAULT_TIMINGS,
    url: 'ws://chat.test/v1/ws?api_key=key',
    token: 'token-1',
    env: resolveEnvironment({ WebSocket: ws.WebSocket }),
    parseFrame: decodeFrame,
    onOpen,
    onEvent: (event) => events.push(event),
    onClose: (close) => closes.push(close),
  });
  return { socket, server: ws.last(), events, closes, onOpen };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Socket', () => {
  it('authenticates with its first frame and opens on connection.ok', () => {
    const { server, onOpen, events } = open();
    server.accept();
    expect(server.frames).toEqual([{ type: 'auth', id: expect.any(String), token: 'token-1' }]);
    expect(onOpen).not.toHaveBeenCalled();
    server.authenticate('conn-7');
    expect(onOpen).toHaveBeenCalledWith(
      expect.objectContaining({ type: 'connection.ok', connection_id: 'conn-7' }),
    );
    expect(events.map((e) => e.type)).toEqual(['connection.ok']);
  });

  it('matches acks to their requests by id, whatever the order of the answers', async () => {
    const { socket, server } = open();
    server.authenticate();
    const first = socket.request({ type: 'channel.unwatch', cid: 'messaging:a' });
    const second = socket.request({ type: 'typing.start', cid: 'messaging:b' });
    const [a, b] = server.frames.slice(1);
    server.push({ type: 'ack', id: b!.id, result: { second: true } });
    server.push({ type: 'ack', id: a!.id, result: { first: true } });
    await expect(first).resolves.toEqual({ first: true });
    await expect(second).resolves.toEqual({ second: true });
  });

  it("rejects a request with the server's error as its class", async () => {
    const { socket, server } = open();
    server.authenticate();
    const send = socket.request({ type: 'typing.start', cid: 'messaging:frozen' });
    const { id } = server.lastFrame('typing.start');
    server.push({
      type: 'error',
      id,
      error: { code: 'channel_frozen', message: 'Frozen', status: 403, retryable: false },
    });
    const error = await send.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionError);
    expect(error).toMatchObject({ code: 'channel_frozen' });
  });

  it('times a request out with a NetworkError and ignores its late ack', async () => {
    const { socket, server } = open();
    server.authenticate();
    const request = socket.request({ type: 'typing.start', cid: 'messaging:a' }, 2_000);
    const outcome = request.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_999);
    server.push(healthCheck()); // traffic does not extend a request's own deadline
    await vi.advanceTimersByTimeAsync(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: 'timeout', retryable: true });
    expect(() =>
      server.push({ type: 'ack', id: server.lastFrame('typing.start').id, result: {} }),
    ).not.toThrow();
  });

  it('refuses an oversized frame locally without sending it', async () => {
    const { socket, server } = open();
    server.authenticate();
    const huge = { type: 'typing.start', cid: 'messaging:a', parent_id: 'x'.repeat(70_000) } as const;
    await expect(socket.request(huge)).rejects.toBeInstanceOf(ValidationError);
    expect(server.frames).toHaveLength(1); // the auth frame only
  });

  it('fails pending requests with a NetworkError when the connection drops', async () => {
    const { socket, server, closes } = open();
    server.authenticate();
    const pending = socket.request({ type: 'typing.start', cid: 'messaging:a' });
    server.drop(CLOSE_CODES.SERVICE_RESTART, 'service restart');
    await expect(pending).rejects.toBeInstanceOf(NetworkError);
    expect(closes).toEqual([{ code: 1012, reason: 'service restart', error: undefined }]);
  });

  it('reports the auth error the server sent before closing', () => {
    const { server, closes, onOpen } = open();
    server.accept();
    const { id } = server.lastFrame('auth');
    server.push({
      type: 'error',
      id,
      error: { code: 'token_expired', message: 'Expired', status: 401, retryable: true },
    });
    server.drop(CLOSE_CODES.TOKEN_EXPIRED, 'token_expired');
    expect(onOpen).not.toHaveBeenCalled();
    expect(closes[0]).toMatchObject({ code: 4002, error: { name: 'AuthError', code: 'token_expired' } });
  });

  it('gives up on a connection that does not authenticate within connectTimeoutMs', async () => {
    const { server, closes } = open();
    server.accept(); // the server never answers the auth frame
    await vi.advanceTimersByTimeAsync(DEFAULT_TIMINGS.connectTimeoutMs);
    expect(closes).toHaveLength(1);
    expect(closes[0]!.error).toMatchObject({ name: 'NetworkError', code: 'timeout' });
    expect(server.closedByClient).toBeDefined();
  });

  describe('heartbeat', () => {
    it('pings after 30 s of silence and declares the socket dead at 35 s', async () => {
      const { server, closes } = open();
      server.authenticate();
      await vi.advanceTimersByTimeAsync(29_999);
      expect(server.frames.map((f) => f.type)).toEqual(['auth']);
      await vi.advanceTimersByTimeAsync(1);
      expect(server.frames.map((f) => f.type)).toEqual(['auth', 'ping']);
      await vi.advanceTimersByTimeAsync(4_999);
      expect(closes).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(closes).toEqual([
        { code: CLOSE_CODES.HEARTBEAT_TIMEOUT, reason: 'heartbeat timeout', error: expect.any(NetworkError) },
      ]);
      expect(server.closedByClient).toBeDefined();
    });

    it('stays up while health.check frames keep arriving, without pinging', async () => {
      const { server, closes, events } = open();
      server.authenticate();
      for (let beat = 0; beat < 8; beat++) {
        await vi.advanceTimersByTimeAsync(25_000);
        server.push(healthCheck());
      }
      expect(closes).toEqual([]);
      expect(server.frames.map((f) => f.type)).toEqual(['auth']);
      expect(events.filter((e) => e.type === 'health.check')).toHaveLength(8);
    });

    it("counts the ping's ack as a sign of life", async () => {
      const { server, closes } = open();
      server.authenticate();
      await vi.advanceTimersByTimeAsync(30_000);
      server.push({ type: 'ack', id: server.lastFrame('ping').id, result: {} });
      await vi.advanceTimersByTimeAsync(29_000);
      expect(closes).toEqual([]);
    });

    it('counts even an unparseable frame as a sign of life, and drops it', async () => {
      const { server, closes, events } = open();
      server.authenticate();
      await vi.advanceTimersByTimeAsync(34_000);
      server.push({ raw: 'garbage' });
      await vi.advanceTimersByTimeAsync(20_000);
      expect(closes).toEqual([]);
      expect(events.map((e) => e.type)).toEqual(['connection.ok']);
    });
  });

  it('delivers events only after connection.ok, and nothing after close()', () => {
    const { socket, server, events, closes } = open();
    server.accept();
    server.push(typingStart(1));
    server.authenticate();
    server.push(typingStart(2));
    socket.close();
    server.push(typingStart(3));
    expect(events.map((e) => (e.type === 'typing.start' ? e.seq : e.type))).toEqual(['connection.ok', 2]);
    expect(closes).toEqual([]); // a close the client asked for is not reported back
  });
});
