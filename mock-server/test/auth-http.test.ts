import { ERROR_CODES, type ErrorCode, errorResponse } from '@chat/protocol';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createUserToken } from '../src/domain/auth/index';
import { getTestServer, newTestApp, type Reply } from './api';

/** Asserts the one error shape: `{ error: { code, message, status, retryable } }`, status = HTTP status. */
function expectError(reply: Reply, status: number, code: ErrorCode): void {
  expect({ status: reply.status, code: reply.body?.error?.code }, JSON.stringify(reply.body)).toEqual({
    status,
    code,
  });
  expect(errorResponse.safeParse(reply.body).success, JSON.stringify(reply.body)).toBe(true);
  expect(reply.body.error).toMatchObject({ status, retryable: ERROR_CODES[code].retryable });
  expect(reply.body.error.message).toEqual(expect.any(String));
  expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
}

/** The issue paths of a validation error. */
const issuePaths = (reply: Reply) =>
  (reply.body.error.details?.issues ?? []).map((issue: { path: unknown[] }) => issue.path);

/** A raw request, for what the `Api` client will not send (no api key, odd headers, odd bodies). */
async function raw(path: string, init: RequestInit = {}): Promise<Reply> {
  const server = await getTestServer();
  const response = await fetch(server.url + path, init);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
let counter = 0;
/** A username no other test uses, so the login rate limits of one test never touch another. */
const freshName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${counter++}`;

describe('HTTP auth: api key and bearer token', () => {
  it('answers 401 invalid_api_key without an api key or with an unknown one', async () => {
    const t = await newTestApp();
    const token = await createUserToken(t.app.api_secret, 'alice');
    expectError(
      await raw('/v1/users/me', { headers: { authorization: `Bearer ${token}` } }),
      401,
      'invalid_api_key',
    );
    expectError(await raw('/v1/auth/login', { method: 'POST' }), 401, 'invalid_api_key');
    for (const key of ['nope', `${t.app.api_key}x`, 'x'.repeat(300), '']) {
      const reply = await raw('/v1/users/me', {
        headers: { 'x-api-key': key, authorization: `Bearer ${token}` },
      });
      expectError(reply, 401, 'invalid_api_key');
    }
    expectError(
      await raw(`/v1/users/me?api_key=unknown`, { headers: { authorization: `Bearer ${token}` } }),
      401,
      'invalid_api_key',
    );
    // The api key may come as a query parameter too.
    expect(
      (await raw(`/v1/users/me?api_key=${t.app.api_key}`, { headers: { authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(200);
  });

  it('answers 401 unauthenticated without a bearer token or with garbage', async () => {
    const t = await newTestApp();
    expectError(await t.anonymous.get('/v1/users/me'), 401, 'unauthenticated');
    const token = await createUserToken(t.app.api_secret, 'alice');
    for (const authorization of [
      'Bearer',
      'Bearer ',
      'Bearer garbage',
      'Bearer a.b.c',
      `Basic ${Buffer.from('alice:pw').toString('base64')}`,
      token, // no scheme
      `Bearer ${token}x`, // bad signature
      `Bearer ${token.split('.').slice(0, 2).join('.')}.`, // signature stripped
      `Bearer ${'a'.repeat(5000)}`,
    ]) {
      expectError(
        await t.anonymous.request('GET', '/v1/users/me', undefined, { authorization }),
        401,
        'unauthenticated',
      );
    }
    expect((await t.anonymous.as(token).get('/v1/users/me')).status).toBe(200);
  });

  it('answers 401 token_expired (retryable) for an expired token', async () => {
    const t = await newTestApp();
    const expired = await new SignJWT({ user_id: 'alice' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(now() - 7200)
      .setExpirationTime(now() - 3600)
      .sign(new TextEncoder().encode(t.app.api_secret));
    const reply = await t.anonymous.as(expired).get('/v1/users/me');
    expectError(reply, 401, 'token_expired');
    expect(reply.body.error.retryable).toBe(true);
  });

  it('answers 401 for an unsigned `alg: none` token and for other algorithms', async () => {
    const t = await newTestApp();
    const claims = { user_id: 'alice', iat: now(), exp: now() + 3600 };
    for (const token of [
      `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`,
      `${b64url({ alg: 'none' })}.${b64url(claims)}`,
      `${b64url({ alg: 'NONE', typ: 'JWT' })}.${b64url(claims)}.`,
      `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...claims, server: true })}.`,
    ]) {
      expectError(await t.anonymous.as(token).get('/v1/users/me'), 401, 'unauthenticated');
      expectError(
        await t.anonymous.as(token).post('/v1/users', { users: [{ id: 'eve' }] }),
        401,
        'unauthenticated',
      );
    }
    const hs512 = await new SignJWT({ user_id: 'alice' })
      .setProtectedHeader({ alg: 'HS512' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(t.app.api_secret));
    expectError(await t.anonymous.as(hs512).get('/v1/users/me'), 401, 'unauthenticated');
    expect((await t.server.get('/v1/users/eve')).status).toBe(404);
  });

  it('answers 403 forbidden for a user token on a server-only endpoint', async () => {
    const t = await newTestApp();
    const [alice] = await t.users('alice');
    const reply = await alice!.post('/v1/users', { users: [{ id: 'alice', role: 'admin' }] });
    expectError(reply, 403, 'forbidden');
    expect((await alice!.get('/v1/users/me')).body.user.role).toBe('user');
  });
});

describe('HTTP auth: password accounts', () => {
  const password = 'correct horse battery';

  it('registers on an open app: 201 with an access and a refresh token that work', async () => {
    const t = await newTestApp({ allow_registration: true });
    const username = freshName('reg');
    const reply = await t.anonymous.post('/v1/auth/register', { username, password, name: 'Reggie' });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      expires_in: expect.any(Number),
      user: { id: username, name: 'Reggie' },
    });
    expect(JSON.stringify(reply.body)).not.toContain(password);
    const me = await t.anonymous.as(reply.body.access_token).get('/v1/users/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: username, name: 'Reggie' });
    const refreshed = await t.anonymous.post('/v1/auth/refresh', { refresh_token: reply.body.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.user.id).toBe(username);
    expect((await t.anonymous.as(refreshed.body.access_token).get('/v1/users/me')).status).toBe(200);
    // And the password logs in.
    const login = await t.anonymous.post('/v1/auth/login', { username, password });
    expect(login.status).toBe(200);
    expect(login.body.user.id).toBe(username);
  });

  it('answers 403 registration_closed when the app does not allow registration', async () => {
    const t = await newTestApp();
    const username = freshName('closed');
    expectError(
      await t.anonymous.post('/v1/auth/register', { username, password }),
      403,
      'registration_closed',
    );
    expectError(await t.anonymous.post('/v1/auth/login', { username, password }), 401, 'invalid_credentials');
  });

  it('answers 409 conflict for a taken username, keeping the first password', async () => {
    const t = await newTestApp({ allow_registration: true });
    const username = freshName('dup');
    expect((await t.anonymous.post('/v1/auth/register', { username, password })).status).toBe(201);
    expectError(
      await t.anonymous.post('/v1/auth/register', { username, password: 'another password' }),
      409,
      'conflict',
    );
    expect((await t.anonymous.post('/v1/auth/login', { username, password })).status).toBe(200);
    expectError(
      await t.anonymous.post('/v1/auth/login', { username, password: 'another password' }),
      401,
      'invalid_credentials',
    );
    // A user the app's backend created (no password) cannot be claimed by registering either.
    await t.users('backend-user');
    expectError(
      await t.anonymous.post('/v1/auth/register', { username: 'backend-user', password }),
      409,
      'conflict',
    );
  });

  it('answers 400 with the field path for a short, long or malformed password or username', async () => {
    const t = await newTestApp({ allow_registration: true });
    const username = freshName('weak');
    for (const [body, path] of [
      [{ username, password: 'short' }, ['password']],
      [{ username, password: '1234567' }, ['password']],
      [{ username, password: 'x'.repeat(257) }, ['password']],
      [{ username, password: 'nul\u0000password' }, ['password']],
      [{ username }, ['password']],
      [{ username: 'has space', password }, ['username']],
      [{ username: '', password }, ['username']],
      [{ username, password, role: 'admin' }, []],
    ] as const) {
      const reply = await t.anonymous.post('/v1/auth/register', body);
      expectError(reply, 400, 'validation_failed');
      expect(issuePaths(reply), JSON.stringify(body)).toContainEqual(path);
    }
    // None of them created the account.
    expect((await t.anonymous.post('/v1/auth/register', { username, password })).status).toBe(201);
  });

  it('answers 401 invalid_credentials with identical bodies for a wrong password and an unknown user', async () => {
    const t = await newTestApp({ allow_registration: true });
    const username = freshName('login');
    await t.anonymous.post('/v1/auth/register', { username, password });
    const wrong = await t.anonymous.post('/v1/auth/login', { username, password: 'wrong password' });
    const unknown = await t.anonymous.post('/v1/auth/login', { username: freshName('nobody'), password });
    expectError(wrong, 401, 'invalid_credentials');
    expectError(unknown, 401, 'invalid_credentials');
    expect(unknown.body).toEqual(wrong.body);
    // A user without a password (created by the app's backend) cannot log in either, same answer.
    await t.users('no-password');
    const noPassword = await t.anonymous.post('/v1/auth/login', { username: 'no-password', password });
    expect(noPassword.status).toBe(401);
    expect(noPassword.body).toEqual(wrong.body);
  });

  it('answers 429 rate_limited with retry-after after repeated failures, even for the right password', async () => {
    const t = await newTestApp({ allow_registration: true });
    const username = freshName('limited');
    await t.anonymous.post('/v1/auth/register', { username, password });
    let limited: Reply | undefined;
    let failures = 0;
    for (let i = 0; i < 30 && !limited; i++) {
      const reply = await t.anonymous.post('/v1/auth/login', { username, password: `wrong password ${i}` });
      if (reply.status === 429) limited = reply;
      else {
        expectError(reply, 401, 'invalid_credentials');
        failures++;
      }
    }
    expect(limited, 'never rate limited').toBeDefined();
    expect(failures).toBeGreaterThanOrEqual(3);
    expectError(limited!, 429, 'rate_limited');
    expect(limited!.body.error.retryable).toBe(true);
    const retryAfterMs = limited!.body.error.details.retry_after_ms;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(limited!.headers.get('retry-after')).toBe(String(Math.ceil(retryAfterMs / 1000)));
    // Not an oracle: the right password is refused the same way while limited.
    const right = await t.anonymous.post('/v1/auth/login', { username, password });
    expectError(right, 429, 'rate_limited');
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other accounts of the app are not locked out by it.
    const other = freshName('other');
    await t.anonymous.post('/v1/auth/register', { username: other, password });
    expect((await t.anonymous.post('/v1/auth/login', { username: other, password })).status).toBe(200);
  });

  it('rotates refresh tokens: a reused token revokes its whole family', async () => {
    const t = await newTestApp({ allow_registration: true });
    const username = freshName('rotate');
    const first = (await t.anonymous.post('/v1/auth/register', { username, password })).body;
    const otherSession = (await t.anonymous.post('/v1/auth/login', { username, password })).body;

    const second = await t.anonymous.post('/v1/auth/refresh', { refresh_token: first.refresh_token });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    const third = await t.anonymous.post('/v1/auth/refresh', { refresh_token: second.body.refresh_token });
    expect(third.status).toBe(200);

    // The first token again: reuse. The family dies, including its newest token.
    expectError(
      await t.anonymous.post('/v1/auth/refresh', { refresh_token: first.refresh_token }),
      401,
      'refresh_token_reused',
    );
    const newest = await t.anonymous.post('/v1/auth/refresh', { refresh_token: third.body.refresh_token });
    expect(newest.status).toBe(401);
    expectError(newest, 401, newest.body.error.code);
    expect(['refresh_token_reused', 'unauthenticated']).toContain(newest.body.error.code);

    // Another login of the same user is another family, untouched.
    expect(
      (await t.anonymous.post('/v1/auth/refresh', { refresh_token: otherSession.refresh_token })).status,
    ).toBe(200);

    // Garbage is unauthenticated; a token too short to be one is a validation error.
    expectError(
      await t.anonymous.post('/v1/auth/refresh', { refresh_token: 'x'.repeat(43) }),
      401,
      'unauthenticated',
    );
    const short = await t.anonymous.post('/v1/auth/refresh', { refresh_token: 'short' });
    expectError(short, 400, 'validation_failed');
    expect(issuePaths(short)).toContainEqual(['refresh_token']);
  });

  it('logout revokes the refresh token, and never says whether a token exists', async () => {
    const t = await newTestApp({ allow_registration: true });
    const username = freshName('logout');
    const session = (await t.anonymous.post('/v1/auth/register', { username, password })).body;
    const other = (await t.anonymous.post('/v1/auth/login', { username, password })).body;
    const out = await t.anonymous.post('/v1/auth/logout', { refresh_token: session.refresh_token });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ ok: true });
    const after = await t.anonymous.post('/v1/auth/refresh', { refresh_token: session.refresh_token });
    expect(after.status).toBe(401);
    expectError(after, 401, after.body.error.code);
    // Logging out again, or with a token that never existed, looks the same.
    expect(await t.anonymous.post('/v1/auth/logout', { refresh_token: session.refresh_token })).toMatchObject(
      {
        status: 200,
        body: { ok: true },
      },
    );
    expect(await t.anonymous.post('/v1/auth/logout', { refresh_token: 'y'.repeat(43) })).toMatchObject({
      status: 200,
      body: { ok: true },
    });
    // The user's other session goes on.
    expect((await t.anonymous.post('/v1/auth/refresh', { refresh_token: other.refresh_token })).status).toBe(
      200,
    );
  });
});

describe('HTTP auth: browser sessions in an httpOnly cookie', () => {
  const password = 'correct horse battery';
  /** A JSON POST with the app's api key and, optionally, a Cookie header. */
  const post = (t: { app: { api_key: string } }, path: string, body: unknown, cookie?: string) =>
    raw(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': t.app.api_key,
        ...(cookie && { cookie }),
      },
      body: JSON.stringify(body),
    });
  /** The `name=value` of the Set-Cookie header, and its attributes, lower-cased. */
  const cookieOf = (reply: Reply) => {
    const header = reply.headers.get('set-cookie') ?? '';
    const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
    return {
      pair,
      value: pair.slice(pair.indexOf('=') + 1),
      attributes: attributes.map((a) => a.toLowerCase()),
    };
  };

  it('keeps the refresh token out of the answer and in an httpOnly, SameSite=Strict cookie on /v1/auth', async () => {
    const t = await newTestApp({ allow_registration: true });
    const username = freshName('cookie');
    const registered = await post(t, '/v1/auth/register', { username, password, session: 'cookie' });
    expect(registered.status).toBe(201);
    expect(registered.body.refresh_token).toBeUndefined();
    expect(registered.body.access_token).toEqual(expect.any(String));
    const cookie = cookieOf(registered);
    expect(cookie.pair).toMatch(/^chat_session_[0-9a-f]{16}=.{16,}/);
    expect(cookie.attributes).toEqual(
      expect.arrayContaining([
        'httponly',
        'samesite=strict',
        'path=/v1/auth',
        expect.stringMatching(/^max-age=\d+$/),
      ]),
    );

    // A reload: refresh with no token in the body, only the cookie. It rotates the cookie.
    const resumed = await post(t, '/v1/auth/refresh', {}, cookie.pair);
    expect(resumed.status).toBe(200);
    expect(resumed.body.user.id).toBe(username);
    expect(resumed.body.refresh_token).toBeUndefined();
    const rotated = cookieOf(resumed);
    expect(rotated.value).not.toBe(cookie.value);
    expect((await t.anonymous.as(resumed.body.access_token).get('/v1/users/me')).body.user.id).toBe(username);

    // The old cookie again is a reuse: refused, the family revoked, and the browser told to drop it.
    const reused = await post(t, '/v1/auth/refresh', {}, cookie.pair);
    expectError(reused, 401, 'refresh_token_reused');
    expect(cookieOf(reused).attributes).toEqual(
      expect.arrayContaining([expect.stringMatching(/^expires=thu, 01 jan 1970/)]),
    );
    expect((await post(t, '/v1/auth/refresh', {}, rotated.pair)).status).toBe(401);
  });

  it("logs in to a cookie, and logout revokes the cookie's token and clears it", async () => {
    const t = await newTestApp({ allow_registration: true });
    const username = freshName('cookie-out');
    await post(t, '/v1/auth/register', { username, password });
    const login = await post(t, '/v1/auth/login', { username, password, session: 'cookie' });
    expect(login.status).toBe(200);
    expect(login.body.refresh_token).toBeUndefined();
    const cookie = cookieOf(login);
    const out = await post(t, '/v1/auth/logout', {}, cookie.pair);
    expect(out.body).toEqual({ ok: true });
    expect(cookieOf(out).value).toBe('');
    const after = await post(t, '/v1/auth/refresh', {}, cookie.pair);
    expectError(after, 401, after.body.error.code);
    expect(['refresh_token_reused', 'unauthenticated']).toContain(after.body.error.code);
  });

  it('refuses a refresh with neither a token nor a cookie, a cookie of another app, and a bad session mode', async () => {
    const t = await newTestApp({ allow_registration: true });
    const other = await newTestApp({ allow_registration: true });
    const username = freshName('cookie-bad');
    const login = await post(t, '/v1/auth/register', { username, password, session: 'cookie' });
    const cookie = cookieOf(login);
    expectError(await post(t, '/v1/auth/refresh', {}), 401, 'unauthenticated');
    // Another app's cookie has another name: this app sees none.
    expectError(await post(other, '/v1/auth/refresh', {}, cookie.pair), 401, 'unauthenticated');
    // Even under this app's name, another app's token is unknown there.
    const renamed = cookie.pair.replace(
      /^chat_session_[0-9a-f]+/,
      cookieOf(await post(other, '/v1/auth/register', { username, password, session: 'cookie' })).pair.split(
        '=',
      )[0]!,
    );
    expectError(await post(other, '/v1/auth/refresh', {}, renamed), 401, 'unauthenticated');
    for (const session of ['header', 'COOKIE', true, 1, null]) {
      const reply = await post(t, '/v1/auth/login', { username, password, session });
      expectError(reply, 400, 'validation_failed');
      expect(issuePaths(reply)).toContainEqual(['session']);
      expect(reply.headers.get('set-cookie')).toBeNull();
    }
    // The cookie still works after all that.
    expect((await post(t, '/v1/auth/refresh', {}, cookie.pair)).status).toBe(200);
  });
});

describe('HTTP bodies and query strings', () => {
  it('answers 400 for a body that is not JSON, empty, or not sent as JSON', async () => {
    const t = await newTestApp();
    const [alice] = await t.users('alice');
    for (const body of ['not json', '{"type":', '{"type":"messaging",}', "{'type':'messaging'}"]) {
      expectError(await alice!.post('/v1/channels', body), 400, 'validation_failed');
    }
    expectError(
      await alice!.request('POST', '/v1/channels', '', { 'content-type': 'application/json' }),
      400,
      'validation_failed',
    );
    expectError(
      await alice!.request('POST', '/v1/channels', 'type=messaging&id=x', {
        'content-type': 'application/x-www-form-urlencoded',
      }),
      400,
      'validation_failed',
    );
    // A JSON value that is not an object is a validation error too.
    for (const body of ['[]', '"text"', '42', 'null']) {
      expectError(await alice!.post('/v1/channels', body), 400, 'validation_failed');
    }
  });

  it('answers 400 for a body with a "__proto__" or "constructor.prototype" key, at any depth', async () => {
    const t = await newTestApp();
    const [alice] = await t.users('alice');
    for (const body of [
      '{"type":"messaging","id":"p1","__proto__":{"admin":true}}',
      '{"type":"messaging","id":"p2","custom":{"__proto__":{"admin":true}}}',
      '{"type":"messaging","id":"p3","custom":{"a":{"b":{"__proto__":{"x":1}}}}}',
      '{"type":"messaging","id":"p4","constructor":{"prototype":{"admin":true}}}',
      '{"type":"messaging","id":"p5","custom":{"constructor":{"prototype":{"x":1}}}}',
    ]) {
      expectError(await alice!.post('/v1/channels', body), 400, 'validation_failed');
    }
    for (const id of ['p1', 'p2', 'p3', 'p4', 'p5']) {
      expect((await alice!.get(`/v1/channels/messaging/${id}`)).status).toBe(404);
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('answers 413 payload_too_large for a body over 1 MiB', async () => {
    const t = await newTestApp();
    const [alice] = await t.users('alice');
    const big = JSON.stringify({
      type: 'messaging',
      id: 'big',
      custom: { blob: 'x'.repeat(1024 * 1024 + 1) },
    });
    expectError(await alice!.post('/v1/channels', big), 413, 'payload_too_large');
    // Also on public endpoints, before any credentials are checked.
    const login = JSON.stringify({ username: 'x', password: 'y'.repeat(2 * 1024 * 1024) });
    expectError(await t.anonymous.post('/v1/auth/login', login), 413, 'payload_too_large');
    // Just under the limit is parsed (and then refused by the schema, not by size).
    const under = JSON.stringify({
      type: 'messaging',
      id: 'big',
      custom: { blob: 'x'.repeat(1024 * 1024 - 100) },
    });
    expectError(await alice!.post('/v1/channels', under), 400, 'validation_failed');
  });

  it('answers 400 naming an unknown query parameter as the issue path', async () => {
    const t = await newTestApp();
    const [alice] = await t.users('alice');
    // Endpoints without query parameters.
    let reply = await alice!.get('/v1/users/me?foo=1');
    expectError(reply, 400, 'validation_failed');
    expect(issuePaths(reply)).toEqual([['foo']]);
    reply = await alice!.get('/v1/unread?bar=2&baz=3');
    expectError(reply, 400, 'validation_failed');
    expect(issuePaths(reply)).toEqual([['bar'], ['baz']]);
    // Endpoints with query parameters: the unknown one is named, not the whole query.
    reply = await alice!.get('/v1/search?query=hello&foo=1');
    expectError(reply, 400, 'validation_failed');
    expect(issuePaths(reply)).toEqual([['foo']]);
    reply = await alice!.get('/v1/users?ids=alice&sort=name');
    expectError(reply, 400, 'validation_failed');
    expect(issuePaths(reply)).toEqual([['sort']]);
    reply = await alice!.get('/v1/channels/messaging/general/messages?limit=5&since=1&foo=2');
    expectError(reply, 400, 'validation_failed');
    expect(issuePaths(reply)).toEqual([['since'], ['foo']]);
    reply = await alice!.request('DELETE', '/v1/channels/messaging/general/draft?thread=1');
    expectError(reply, 400, 'validation_failed');
    expect(issuePaths(reply)).toEqual([['thread']]);
    // Known parameters with bad values still name themselves.
    reply = await alice!.get('/v1/search?query=hello&limit=1000');
    expectError(reply, 400, 'validation_failed');
    expect(issuePaths(reply)).toEqual([['limit']]);
    // api_key is not one of them: it names the app.
    expect((await alice!.get(`/v1/users/me?api_key=${t.app.api_key}`)).status).toBe(200);
    expect((await alice!.get(`/v1/search?query=hello&api_key=${t.app.api_key}`)).status).toBe(200);
  });

  it('answers unknown routes with the same error shape', async () => {
    const t = await newTestApp();
    expectError(await t.anonymous.get('/v1/nope'), 404, 'not_found');
    expectError(await t.anonymous.request('PUT', '/v1/users/me'), 404, 'not_found');
  });
});
