import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatServer, ChatServerOptions } from '../src/startup/server';
import { Api, clientId, type Reply, startTestServer, testAppOn } from './api';
import { channelPath, createChannel } from './rest-helpers';
import { appOn, closeSockets, sleep } from './ws-fixtures';

/**
 * What one user, one address or one anonymous client can make the server spend: one write
 * budget per user over REST and the socket alike, sign-ups per address and per app, requests
 * that must arrive in time, and login limiting that slows a guesser without locking the real
 * user out. Per-address limits follow `X-Forwarded-For` only when the proxy is trusted.
 */

const servers: ChatServer[] = [];
async function serverWith(options: ChatServerOptions): Promise<ChatServer> {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
}
afterAll(() => Promise.all(servers.map((s) => s.close())));
afterEach(closeSockets);

const PASSWORD = 'a long enough password';

/** Where a request says it comes from, for a server that trusts its proxy. */
const from = (address: string) => ({ 'x-forwarded-for': address });

describe('one write budget per user, across REST and the socket', () => {
  let server: ChatServer;
  beforeAll(async () => {
    server = await serverWith({ realtime: { writes: { points: 6, durationSeconds: 60 } } });
  });

  it('writes over REST and over the socket spend the same budget; the backend is not metered', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice', 'bob');
    const cid = await createChannel(alice!, 'budget', ['bob']); // 1
    const path = channelPath(cid);
    const rest = () => alice!.post(`${path}/messages`, { client_msg_id: clientId(), text: 'over REST' });
    const socket = await t.connect('alice');
    const viaSocket = () =>
      socket.request({
        type: 'message.send',
        cid,
        message: { client_msg_id: clientId(), text: 'over the socket' },
      });
    expect((await rest()).status).toBe(201); // 2
    expect((await viaSocket()).type).toBe('ack'); // 3
    expect((await rest()).status).toBe(201); // 4
    expect((await alice!.patch(path, { name: 'Renamed' })).status).toBe(200); // 5
    expect((await viaSocket()).type).toBe('ack'); // 6

    const refused = await rest();
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'rate_limited', retryable: true });
    expect(refused.body.error.details.retry_after_ms).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await viaSocket()).toMatchObject({ type: 'error', error: { code: 'rate_limited' } });
    // Reading and marking read are not writes; the app's backend acts for everyone, unmetered.
    expect((await alice!.get(`${path}/messages`)).status).toBe(200);
    expect((await alice!.post(`${path}/read`, {})).status).toBe(200);
    const backend = await t.server.post(`${path}/messages`, {
      client_msg_id: clientId(),
      text: 'x',
      user_id: 'bob',
    });
    expect(backend.status).toBe(201);
    // Nothing refused was stored: 4 messages (2 + 2) and the backend's.
    expect((await alice!.get(`${path}/messages`)).body.messages).toHaveLength(5);
  });

  it.skipIf(!process.env.REDIS_URL)('holds across nodes through Redis', async () => {
    const shared = {
      redisUrl: process.env.REDIS_URL!,
      redisPrefix: `test-budget-${clientId()}:`,
      realtime: { writes: { points: 3, durationSeconds: 60 } },
    };
    const [a, b] = [await serverWith(shared), await serverWith(shared)];
    const t = await testAppOn(a);
    const [alice] = await t.users('alice');
    const cid = await createChannel(alice!, 'nodes'); // 1 on node A
    const aliceOnB = new Api(b.url, t.app.api_key, alice!.token);
    const send = (api: Api) =>
      api.post(`${channelPath(cid)}/messages`, { client_msg_id: clientId(), text: 'hi' });
    expect((await send(aliceOnB)).status).toBe(201); // 2 on node B
    expect((await send(alice!)).status).toBe(201); // 3 on node A
    expect((await send(aliceOnB)).status).toBe(429);
  });
});

describe('sign-ups', () => {
  it('are limited per address and per app; a spoofed X-Forwarded-For does not help unless the proxy is trusted', async () => {
    const direct = await serverWith({
      http: { registrationsPerIpPerHour: 2, registrationsPerAppPerHour: 100 },
    });
    const t = await testAppOn(direct, { allow_registration: true });
    const signUp = (name: string, headers: Record<string, string> = {}) =>
      t.anonymous.request('POST', '/v1/auth/register', { username: name, password: PASSWORD }, headers);
    expect((await signUp('one')).status).toBe(201);
    expect((await signUp('two', from('10.0.0.1'))).status).toBe(201);
    const third = await signUp('three', from('10.0.0.2'));
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('rate_limited');
    expect((await t.server.get('/v1/users?ids=three')).body.users).toEqual([]);

    const proxied = await serverWith({
      http: { trustProxy: true, registrationsPerIpPerHour: 2, registrationsPerAppPerHour: 3 },
    });
    const p = await testAppOn(proxied, { allow_registration: true });
    const viaProxy = (name: string, address: string) =>
      p.anonymous.request('POST', '/v1/auth/register', { username: name, password: PASSWORD }, from(address));
    expect((await viaProxy('a1', '10.0.0.1')).status).toBe(201);
    expect((await viaProxy('a2', '10.0.0.1')).status).toBe(201);
    expect((await viaProxy('a3', '10.0.0.1')).status).toBe(429); // that address is done
    expect((await viaProxy('b1', '10.0.0.2')).status).toBe(201); // another one is not
    expect((await viaProxy('c1', '10.0.0.3')).status).toBe(429); // but the app is (3 an hour)
  });
});

describe('login limiting', () => {
  let server: ChatServer;
  beforeAll(async () => {
    server = await serverWith({ http: { trustProxy: true } });
  });

  async function account() {
    const t = await testAppOn(server, { allow_registration: true });
    expect(
      (await t.anonymous.post('/v1/auth/register', { username: 'victim', password: PASSWORD })).status,
    ).toBe(201);
    const login = (body: Record<string, unknown>, address = '10.1.1.1'): Promise<Reply> =>
      t.anonymous.request('POST', '/v1/auth/login', { username: 'victim', ...body }, from(address));
    return { t, login };
  }

  it('a guesser is slowed down; the real user on a known device still logs in, even from the same address', async () => {
    const { login } = await account();
    const known = await login({ password: PASSWORD });
    expect(known.status).toBe(200);
    const deviceToken: string = known.body.device_token;
    expect(deviceToken).toEqual(expect.any(String));

    // Someone else guesses until refused, then keeps one guess going as the bucket refills.
    const guesses: number[] = [];
    for (let i = 0; i < 12; i++) guesses.push((await login({ password: `guess ${i}` })).status);
    expect(guesses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(guesses.slice(10)).toEqual([429, 429]);
    // Even the right password from an unknown device must wait now...
    expect((await login({ password: PASSWORD })).status).toBe(429);
    // ...but the user's own device gets in, from the guesser's address too.
    const again = await login({ password: PASSWORD, device_token: deviceToken });
    expect(again.status).toBe(200);
    // A known device keeps its identity across logins.
    expect((await login({ password: PASSWORD, device_token: again.body.device_token })).status).toBe(200);
  });

  it("a known device's own failures count against that device only; tokens of others are unknown devices", async () => {
    const { t, login } = await account();
    const mine = (await login({ password: PASSWORD })).body.device_token as string;
    const other = (await login({ password: PASSWORD })).body.device_token as string;
    for (let i = 0; i < 10; i++)
      expect((await login({ password: 'wrong', device_token: mine })).status).toBe(401);
    expect((await login({ password: PASSWORD, device_token: mine })).status).toBe(429);
    expect((await login({ password: PASSWORD, device_token: other })).status).toBe(200);
    expect((await login({ password: PASSWORD })).status).toBe(200);
    // Another user's device token, or garbage, is simply no known device.
    expect(
      (await t.anonymous.post('/v1/auth/register', { username: 'someone', password: PASSWORD })).status,
    ).toBe(201);
    const theirs = (
      await t.anonymous.request(
        'POST',
        '/v1/auth/login',
        { username: 'someone', password: PASSWORD },
        from('10.9.9.9'),
      )
    ).body.device_token as string;
    expect((await login({ password: PASSWORD, device_token: theirs })).status).toBe(200);
    expect((await login({ password: PASSWORD, device_token: 'x'.repeat(40) })).status).toBe(200);
    // A device token is no access token.
    expect((await t.anonymous.as(mine).get('/v1/users/me')).status).toBe(401);
  });

  it('successful logins are not counted: a user logging in often is never slowed', async () => {
    const { login } = await account();
    for (let i = 0; i < 15; i++) expect((await login({ password: PASSWORD })).status).toBe(200);
  });
});

describe('request timeouts', () => {
  it('closes connections whose headers or body never finish, and keeps serving', async () => {
    const server = await serverWith({ http: { headersTimeoutMs: 500, requestTimeoutMs: 1_000 } });
    const { port } = new URL(server.url);
    const half = async (text: string): Promise<Socket> => {
      const socket = connect(Number(port), '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(text);
      socket.resume(); // read what the server answers (a 408), so its close is seen
      return socket;
    };
    const sockets = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        half(
          i % 2
            ? 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: '
            : 'POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user',
        ),
      ),
    );
    const closed = sockets.map(
      (socket) => new Promise<boolean>((resolve) => socket.once('close', () => resolve(true))),
    );
    // Generous: the bound is the configured timeout plus Node's once-a-second check.
    const all = await Promise.race([Promise.all(closed), sleep(8_000).then(() => null)]);
    expect(all).toEqual(Array(30).fill(true));
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
