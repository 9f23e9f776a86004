import type { ChatEvent } from '@chat/protocol';
import { CLOSE_CODES } from '@chat/protocol/constants';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeSockets } from '../../test/fake-websocket';
import { typingStart } from '../../test/frames';
import { manualSignal } from '../../test/signals';
import { resolveEnvironment } from '../environment';
import { AuthError, ChatError, NetworkError } from '../errors';
import { TokenManager, type TokenSource } from '../token-manager';
import { ConnectionManager, type ConnectionOptions } from './connection-manager';

/**
 * A manager on fake sockets, fake timers and hand-driven network/visibility signals. With
 * random fixed at 0.5 and a 1 s base, the backoff waits are 500 ms, 1 s, 2 s, 4 s…
 */
function setup(options: { token?: TokenSource; online?: boolean; connection?: ConnectionOptions } = {}) {
  const ws = fakeSockets();
  const online = manualSignal(options.online ?? true);
  const visible = manualSignal(true);
  const env = resolveEnvironment({ WebSocket: ws.WebSocket, random: () => 0.5, online, visible });
  const tokens = new TokenManager(options.token ?? 'token-1');
  const events: ChatEvent[] = [];
  const manager = new ConnectionManager({
    url: 'ws://chat.test/v1/ws?api_key=key',
    tokens,
    env,
    onEvent: (event) => events.push(event),
    backoff: { baseMs: 1_000, maxMs: 30_000 },
    ...options.connection,
  });
  const history: string[] = [];
  manager.state.subscribe(() => {
    const { status, attempt } = manager.state.getSnapshot();
    history.push(`${status}:${attempt}`);
  });
  return { manager, ws, online, visible, events, history, state: () => manager.state.getSnapshot() };
}

/** Lets pending promise callbacks (the token fetch before a socket opens) run. */
const flush = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ConnectionManager', () => {
  it('goes idle → connecting → connected, and connect() resolves then', async () => {
    const { manager, ws, history, state } = setup();
    expect(state()).toEqual({ status: 'idle', attempt: 0 });
    const connected = manager.connect();
    await flush();
    expect(ws.sockets).toHaveLength(1);
    expect(ws.last().url).toBe('ws://chat.test/v1/ws?api_key=key');
    ws.last().authenticate();
    await expect(connected).resolves.toBeUndefined();
    expect(ws.last().lastFrame('auth').token).toBe('token-1');
    expect(history).toEqual(['connecting:0', 'connected:0']);
  });

  it('delivers the events of the connected socket in order', async () => {
    const { manager, ws, events } = setup();
    void manager.connect();
    await flush();
    ws.last().authenticate();
    ws.last().push(typingStart(1));
    ws.last().push(typingStart(2));
    expect(events.map((e) => (e.type === 'typing.start' ? e.seq : e.type))).toEqual(['connection.ok', 1, 2]);
  });

  it('after a drop: reconnecting with a counted attempt per failure, back to attempt 0 once connected', async () => {
    const { manager, ws, history, state } = setup();
    void manager.connect();
    await flush();
    ws.last().authenticate();
    ws.last().drop(CLOSE_CODES.SERVICE_RESTART, 'service restart');
    expect(state()).toMatchObject({
      status: 'reconnecting',
      attempt: 1,
      error: { code: 'connection_closed' },
    });

    await vi.advanceTimersByTimeAsync(499);
    expect(ws.sockets).toHaveLength(1); // still waiting out the first backoff (500 ms)
    await vi.advanceTimersByTimeAsync(1);
    expect(ws.sockets).toHaveLength(2);

    ws.last().drop(1006); // the attempt fails before the handshake
    expect(state()).toMatchObject({ status: 'reconnecting', attempt: 2 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ws.sockets).toHaveLength(3);
    ws.last().authenticate('conn-3');
    expect(state()).toEqual({ status: 'connected', attempt: 0 });
    expect(history).toEqual([
      'connecting:0',
      'connected:0',
      'reconnecting:1',
      'reconnecting:2',
      'connected:0',
    ]);
  });

  it.each([
    ['SLOW_CONSUMER', CLOSE_CODES.SLOW_CONSUMER],
    ['HEARTBEAT_TIMEOUT', CLOSE_CODES.HEARTBEAT_TIMEOUT],
    ['AUTH_TIMEOUT', CLOSE_CODES.AUTH_TIMEOUT],
    ['abnormal (1006)', 1006],
  ])('reconnects after %s', async (_, code) => {
    const { manager, ws, state } = setup();
    void manager.connect();
    await flush();
    ws.last().authenticate();
    ws.last().drop(code);
    expect(state().status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(500);
    ws.last().authenticate('conn-2');
    expect(state().status).toBe('connected');
  });

  it('tells reconnected listeners (not on the first connect), after the state is connected', async () => {
    const { manager, ws, state } = setup();
    const seen: unknown[] = [];
    manager.onReconnected((info) => seen.push({ ...info, status: state().status }));
    void manager.connect();
    await flush();
    ws.last().authenticate('conn-1');
    expect(seen).toEqual([]);
    ws.last().drop(CLOSE_CODES.SERVICE_RESTART);
    await vi.advanceTimersByTimeAsync(500);
    ws.last().authenticate('conn-2');
    expect(seen).toEqual([{ connectionId: 'conn-2', downtimeMs: 500, status: 'connected' }]);
  });

  describe('single flight', () => {
    it('opens one socket for repeated connect() calls', async () => {
      const { manager, ws } = setup();
      const a = manager.connect();
      const b = manager.connect();
      await flush();
      expect(ws.sockets).toHaveLength(1);
      ws.last().authenticate();
      await expect(Promise.all([a, b])).resolves.toEqual([undefined, undefined]);
    });

    it('opens one socket when two triggers fire during a backoff wait', async () => {
      const { manager, ws, visible } = setup({ connection: { backoff: { baseMs: 20_000 } } });
      void manager.connect();
      await flush();
      ws.last().authenticate();
      ws.last().drop(1006); // backoff wait: 10 s
      // Two "retry now" triggers in a row: the second joins the attempt the first started.
      visible.set(false);
      visible.set(true);
      visible.set(false);
      visible.set(true);
      await flush();
      expect(ws.sockets).toHaveLength(2);
      ws.last().authenticate('conn-2');
      // …and the cancelled backoff timer does not open another one when its time comes (10 s;
      // short of the 35 s heartbeat, which would rightly replace this silent socket).
      await vi.advanceTimersByTimeAsync(20_000);
      expect(ws.sockets).toHaveLength(2);
    });

    it('does not open a second socket while the token for the first is being fetched', async () => {
      let resolveToken: (token: string) => void = () => {};
      const provider = vi.fn(() => new Promise<string>((resolve) => (resolveToken = resolve)));
      const { manager, ws, visible } = setup({ token: provider });
      void manager.connect();
      visible.set(false);
      visible.set(true);
      resolveToken('token-1');
      await flush();
      expect(provider).toHaveBeenCalledTimes(1);
      expect(ws.sockets).toHaveLength(1);
    });
  });

  it('reconnects when the heartbeat finds the socket dead', async () => {
    const { manager, ws, state } = setup();
    void manager.connect();
    await flush();
    const first = ws.last();
    first.authenticate();
    await vi.advanceTimersByTimeAsync(35_000); // silence: ping at 30 s, unanswered, dead at 35 s
    expect(first.frames.map((f) => f.type)).toContain('ping');
    expect(first.closedByClient).toBeDefined();
    expect(state()).toMatchObject({ status: 'reconnecting', attempt: 1, error: { code: 'timeout' } });
    await vi.advanceTimersByTimeAsync(500);
    expect(ws.sockets).toHaveLength(2);
  });

  describe('stale sockets', () => {
    it('ignores events and closes a replaced socket delivers late', async () => {
      const { manager, ws, events, state } = setup();
      void manager.connect();
      await flush();
      const old = ws.last();
      old.authenticate('conn-1');
      // Keep the handlers the platform had bound, as a late dispatch from the old socket would.
      const lateMessage = old.onmessage!;
      const lateClose = old.onclose!;
      old.drop(CLOSE_CODES.SERVICE_RESTART);
      await vi.advanceTimersByTimeAsync(500);
      ws.last().authenticate('conn-2');
      events.length = 0;

      lateMessage({ data: JSON.stringify(typingStart(99)) });
      lateClose({ code: CLOSE_CODES.UNAUTHENTICATED, reason: 'late' });
      expect(events).toEqual([]);
      expect(state()).toEqual({ status: 'connected', attempt: 0 });
    });

    it('does not open a socket with a token that arrives after disconnect()', async () => {
      let resolveToken: (token: string) => void = () => {};
      const { manager, ws, state } = setup({
        token: () => new Promise((resolve) => (resolveToken = resolve)),
      });
      const connecting = manager.connect().catch((e: unknown) => e);
      manager.disconnect();
      resolveToken('token-1');
      await flush();
      expect(ws.sockets).toHaveLength(0);
      expect(state()).toEqual({ status: 'disconnected', attempt: 0 });
      expect(await connecting).toBeInstanceOf(NetworkError);
    });
  });

  describe('expired tokens', () => {
    it('refreshes once and reconnects at once; a second expiry in a row stops with an AuthError', async () => {
      const provider = vi
        .fn()
        .mockResolvedValueOnce('t1')
        .mockResolvedValueOnce('t2')
        .mockResolvedValueOnce('t3');
      const { manager, ws, state } = setup({ token: provider });
      void manager.connect();
      await flush();
      ws.last().authenticate();

      ws.last().drop(CLOSE_CODES.TOKEN_EXPIRED, 'token_expired');
      await flush(); // no backoff wait: straight to a refresh and a new socket
      expect(ws.sockets).toHaveLength(2);
      ws.last().authenticate('conn-2');
      expect(ws.last().lastFrame('auth').token).toBe('t2');
      expect(state().status).toBe('connected');

      // Expiring again after a good connection is normal (tokens have lifetimes): refresh again.
      ws.last().drop(CLOSE_CODES.TOKEN_EXPIRED);
      await flush();
      const third = ws.last();
      third.accept();
      expect(third.lastFrame('auth').token).toBe('t3');
      // But the fresh token is rejected as expired too: stop, do not loop.
      third.push({
        type: 'error',
        id: third.lastFrame('auth').id,
        error: { code: 'token_expired', message: 'Token expired', status: 401, retryable: true },
      });
      third.drop(CLOSE_CODES.TOKEN_EXPIRED);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(ws.sockets).toHaveLength(3);
      expect(provider).toHaveBeenCalledTimes(3);
      expect(state().status).toBe('disconnected');
      expect(state().error).toBeInstanceOf(AuthError);
      expect(state().error).toMatchObject({ code: 'token_expired', message: 'Token expired' });
    });

    it('stops with an AuthError when a fixed token expires (nothing to refresh it with)', async () => {
      const { manager, ws, state } = setup({ token: 'fixed' });
      void manager.connect();
      await flush();
      ws.last().authenticate();
      ws.last().drop(CLOSE_CODES.TOKEN_EXPIRED);
      await flush();
      expect(state().status).toBe('disconnected');
      expect(state().error).toBeInstanceOf(AuthError);
      expect(ws.sockets).toHaveLength(1);
    });

    it('retries with backoff when the token provider fails for a temporary reason', async () => {
      const provider = vi
        .fn()
        .mockRejectedValueOnce(new TypeError('fetch failed'))
        .mockResolvedValueOnce('t1');
      const { manager, ws, state } = setup({ token: provider });
      const connected = manager.connect();
      await flush();
      expect(state()).toMatchObject({ status: 'reconnecting', attempt: 1, error: { name: 'AuthError' } });
      await vi.advanceTimersByTimeAsync(500);
      ws.last().authenticate();
      await expect(connected).resolves.toBeUndefined();
    });
  });

  describe('terminal close codes', () => {
    it.each([
      ['UNAUTHENTICATED', CLOSE_CODES.UNAUTHENTICATED, AuthError],
      ['POLICY_VIOLATION', CLOSE_CODES.POLICY_VIOLATION, ChatError],
      ['TOO_MANY_CONNECTIONS', CLOSE_CODES.TOO_MANY_CONNECTIONS, ChatError],
    ])('stops reconnecting after %s', async (_, code, ErrorClass) => {
      const { manager, ws, state } = setup();
      void manager.connect();
      await flush();
      ws.last().authenticate();
      ws.last().drop(code);
      await vi.advanceTimersByTimeAsync(120_000);
      expect(ws.sockets).toHaveLength(1);
      expect(state()).toMatchObject({
        status: 'disconnected',
        attempt: 0,
        error: { details: { close_code: code } },
      });
      expect(state().error).toBeInstanceOf(ErrorClass);
    });

    it("rejects connect() with the server's reason when the token is refused", async () => {
      const { manager, ws } = setup();
      const connecting = manager.connect();
      await flush();
      const socket = ws.last();
      socket.accept();
      socket.push({
        type: 'error',
        id: socket.lastFrame('auth').id,
        error: { code: 'unauthenticated', message: 'Invalid token', status: 401, retryable: false },
      });
      socket.drop(CLOSE_CODES.UNAUTHENTICATED, 'unauthenticated');
      await expect(connecting).rejects.toMatchObject({ name: 'AuthError', message: 'Invalid token' });
    });
  });

  describe('offline and online', () => {
    it('drops the socket when the network goes, waits without attempts, reconnects at once when it returns', async () => {
      const { manager, ws, online, state } = setup();
      void manager.connect();
      await flush();
      const first = ws.last();
      first.authenticate();
      online.set(false);
      expect(state().status).toBe('offline');
      expect(first.closedByClient).toBeDefined();
      await vi.advanceTimersByTimeAsync(120_000);
      expect(ws.sockets).toHaveLength(1);

      online.set(true);
      await flush();
      expect(ws.sockets).toHaveLength(2);
      expect(state()).toMatchObject({ status: 'reconnecting', attempt: 1 });
      ws.last().authenticate('conn-2');
      expect(state().status).toBe('connected');
    });

    it('starts offline without trying when connect() is called with no network', async () => {
      const { manager, ws, online, state } = setup({ online: false });
      const connected = manager.connect();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(state().status).toBe('offline');
      expect(ws.sockets).toHaveLength(0);
      online.set(true);
      await flush();
      expect(state()).toEqual({ status: 'connecting', attempt: 0 });
      ws.last().authenticate();
      await expect(connected).resolves.toBeUndefined();
    });

    it('goes offline instead of scheduling a retry when a drop comes with no network', async () => {
      const { manager, ws, online, state } = setup();
      void manager.connect();
      await flush();
      ws.last().authenticate();
      online.current = () => false; // the host knows, but has not sent its event yet
      ws.last().drop(1006);
      expect(state().status).toBe('offline');
      await vi.advanceTimersByTimeAsync(60_000);
      expect(ws.sockets).toHaveLength(1);
    });
  });

  describe('visibility', () => {
    it('skips the backoff wait when the app comes to the foreground', async () => {
      const { manager, ws, visible } = setup({ connection: { backoff: { baseMs: 20_000 } } });
      void manager.connect();
      await flush();
      ws.last().authenticate();
      ws.last().drop(1006); // backoff: 10 s
      visible.set(false);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(ws.sockets).toHaveLength(1);
      visible.set(true);
      await flush();
      expect(ws.sockets).toHaveLength(2);
    });

    it('replaces a socket that went silent while the device slept (timers did not run)', async () => {
      const { manager, ws, visible, state } = setup();
      void manager.connect();
      await flush();
      const first = ws.last();
      first.authenticate();
      visible.set(false);
      vi.setSystemTime(Date.now() + 10 * 60_000); // the clock moved; no timer fired
      visible.set(true);
      await flush();
      expect(first.closedByClient).toBeDefined();
      expect(ws.sockets).toHaveLength(2);
      expect(state()).toMatchObject({ status: 'reconnecting', attempt: 1 });
    });

    it('leaves a healthy socket alone', async () => {
      const { manager, ws, visible } = setup();
      void manager.connect();
      await flush();
      ws.last().authenticate();
      visible.set(false);
      visible.set(true);
      await flush();
      expect(ws.sockets).toHaveLength(1);
      expect(ws.last().closedByClient).toBeUndefined();
    });
  });

  describe('request', () => {
    it('sends on the connected socket and resolves with the ack', async () => {
      const { manager, ws } = setup();
      void manager.connect();
      await flush();
      ws.last().authenticate();
      const answer = manager.request({ type: 'channel.unwatch', cid: 'messaging:general' });
      ws.last().push({ type: 'ack', id: ws.last().lastFrame('channel.unwatch').id, result: {} });
      await expect(answer).resolves.toEqual({});
    });

    it('waits for a reconnection in progress, then sends on the new socket', async () => {
      const { manager, ws } = setup();
      void manager.connect();
      await flush();
      ws.last().authenticate();
      ws.last().drop(CLOSE_CODES.SERVICE_RESTART);
      const answer = manager.request({ type: 'channel.unwatch', cid: 'messaging:general' });
      await vi.advanceTimersByTimeAsync(500);
      const second = ws.last();
      second.authenticate('conn-2');
      await flush();
      second.push({ type: 'ack', id: second.lastFrame('channel.unwatch').id, result: {} });
      await expect(answer).resolves.toEqual({});
    });

    it('gives up waiting after waitForConnectionMs with a NetworkError', async () => {
      const { manager, ws } = setup({ connection: { waitForConnectionMs: 3_000 } });
      void manager.connect();
      await flush();
      ws.last().authenticate();
      ws.last().drop(CLOSE_CODES.SERVICE_RESTART);
      const answer = manager.request({ type: 'ping' }).catch((e: unknown) => e);
      for (let i = 0; i < 5; i++) {
        await vi.advanceTimersByTimeAsync(600);
        if (ws.last().readyState === 0) ws.last().drop(1006); // every attempt fails
      }
      expect(await answer).toMatchObject({ name: 'NetworkError', code: 'timeout' });
    });

    it('fails at once when never connected, disconnected, or offline', async () => {
      const { manager, ws, online } = setup();
      await expect(manager.request({ type: 'ping' })).rejects.toMatchObject({ code: 'not_connected' });
      void manager.connect();
      await flush();
      ws.last().authenticate();
      online.set(false);
      await expect(manager.request({ type: 'ping' })).rejects.toBeInstanceOf(NetworkError);
      manager.disconnect();
      await expect(manager.request({ type: 'ping' })).rejects.toMatchObject({ retryable: false });
    });
  });

  it('disconnect() closes the socket, fails pending requests and stops reconnecting', async () => {
    const { manager, ws, state } = setup();
    void manager.connect();
    await flush();
    const socket = ws.last();
    socket.authenticate();
    const pending = manager.request({ type: 'ping' });
    manager.disconnect();
    await expect(pending).rejects.toBeInstanceOf(NetworkError);
    expect(socket.closedByClient?.code).toBe(1000);
    expect(state()).toEqual({ status: 'disconnected', attempt: 0 });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(ws.sockets).toHaveLength(1);

    // …and connect() starts over.
    const again = manager.connect();
    await flush();
    ws.last().authenticate('conn-2');
    await expect(again).resolves.toBeUndefined();
  });
});
