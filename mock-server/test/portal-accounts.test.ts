import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatServer } from '../src/startup/server';
import { Api, startTestServer, testAppOn } from './api';
import { email, expectPortalError, PASSWORD, Portal, signUp } from './portal-client';

/**
 * Customer accounts of the portal: sign-up, login, refresh-token rotation with reuse detection,
 * sessions (listed, revoked, ended by a password change), and tokens that never cross between the
 * portal and the chat API.
 */

let server: ChatServer;
let anonymous: Portal;
beforeAll(async () => {
  server = await startTestServer({ http: { portalSignUpsPerIpPerHour: 1_000 } });
  anonymous = new Portal(server.url);
});
afterAll(() => server?.close());

const countCustomers = async (address: string) =>
  Number(
    (
      await server.store.db
        .selectFrom('customer_users')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where((eb) => eb(eb.fn('lower', ['email']), '=', address.toLowerCase()))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('portal accounts', () => {
  it('signs up, logs in with the email in any case, and refuses a second account for it', async () => {
    const alice = await signUp(server.url, 'alice');
    const me = await alice.api.get('/me');
    expect(me.status).toBe(200);
    expect(me.body.customer).toMatchObject({ id: alice.id, email: alice.email, display_name: 'alice' });

    const login = await anonymous.post('/auth/login', {
      email: alice.email.toUpperCase(),
      password: PASSWORD,
    });
    expect(login.status).toBe(200);
    expect(login.body.customer.id).toBe(alice.id);

    const again = await anonymous.post('/auth/signup', {
      email: alice.email.toUpperCase(),
      password: PASSWORD,
    });
    expectPortalError(again, 409, 'conflict');
    expect(await countCustomers(alice.email)).toBe(1);
  });

  it('refuses bad sign-ups with the field named, creating nothing', async () => {
    const address = email('bad');
    for (const body of [
      { email: 'not an email', password: PASSWORD },
      { email: address, password: 'short' },
      { email: address, password: PASSWORD, extra: 1 },
      { email: address },
      { email: `${'a'.repeat(250)}@example.com`, password: PASSWORD },
      { email: address, password: 'x'.repeat(257) },
      { email: address, password: `${PASSWORD}\u0000` },
    ]) {
      const reply = await anonymous.post('/auth/signup', body);
      expectPortalError(reply, 400, 'validation_failed');
      expect(reply.body.error.details.issues.length).toBeGreaterThan(0);
    }
    expect(await countCustomers(address)).toBe(0);
  });

  it('answers a wrong password and an unknown email alike', async () => {
    const bob = await signUp(server.url, 'bob');
    const wrong = await anonymous.post('/auth/login', { email: bob.email, password: 'wrong password!' });
    const unknown = await anonymous.post('/auth/login', { email: email('nobody'), password: PASSWORD });
    expectPortalError(wrong, 401, 'invalid_credentials');
    expectPortalError(unknown, 401, 'invalid_credentials');
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
  });

  it('rotates refresh tokens; presenting a used one ends the whole session', async () => {
    const carol = await signUp(server.url, 'carol');
    const first = await anonymous.post('/auth/refresh', { refresh_token: carol.refreshToken });
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(carol.refreshToken);
    const rotatedApi = anonymous.as(first.body.access_token);
    expect((await rotatedApi.get('/me')).status).toBe(200);

    // The first token again: a thief's copy. The session ends, for the thief and the owner.
    const reused = await anonymous.post('/auth/refresh', { refresh_token: carol.refreshToken });
    expectPortalError(reused, 401, 'refresh_token_reused');
    expectPortalError(await rotatedApi.get('/me'), 401, 'unauthenticated');
    expectPortalError(
      await anonymous.post('/auth/refresh', { refresh_token: first.body.refresh_token }),
      401,
      'refresh_token_reused',
    );
  });

  it('lists sessions and revokes one: its tokens stop at once', async () => {
    const dave = await signUp(server.url, 'dave');
    const other = await anonymous.request(
      'POST',
      '/portal/v1/auth/login',
      { email: dave.email, password: PASSWORD },
      {
        'user-agent': 'dave-laptop',
      },
    );
    expect(other.status).toBe(200);
    const otherApi = anonymous.as(other.body.access_token);

    const list = await dave.api.get('/me/sessions');
    expect(list.status).toBe(200);
    expect(list.body.sessions).toHaveLength(2);
    const current = list.body.sessions.filter((s: { current: boolean }) => s.current);
    expect(current).toHaveLength(1);
    const laptop = list.body.sessions.find((s: { user_agent: string }) => s.user_agent === 'dave-laptop');
    expect(laptop.current).toBe(false);

    expect((await dave.api.delete(`/me/sessions/${laptop.id}`)).status).toBe(200);
    expectPortalError(await otherApi.get('/me'), 401, 'unauthenticated');
    expectPortalError(
      await anonymous.post('/auth/refresh', { refresh_token: other.body.refresh_token }),
      401,
      'refresh_token_reused',
    );
    expect((await dave.api.get('/me/sessions')).body.sessions).toHaveLength(1);
    // Gone, or never this customer's: the same answer.
    expectPortalError(await dave.api.delete(`/me/sessions/${laptop.id}`), 404, 'not_found');
    const eve = await signUp(server.url, 'eve');
    const eveSession = (await eve.api.get('/me/sessions')).body.sessions[0].id;
    expectPortalError(await dave.api.delete(`/me/sessions/${eveSession}`), 404, 'not_found');
    expect((await eve.api.get('/me')).status).toBe(200);
  });

  it('changes the password only with the current one, ending every other session', async () => {
    const frank = await signUp(server.url, 'frank');
    const elsewhere = await anonymous.post('/auth/login', { email: frank.email, password: PASSWORD });
    const elsewhereApi = anonymous.as(elsewhere.body.access_token);

    const wrong = await frank.api.post('/me/password', {
      current_password: 'not it at all',
      new_password: 'a new passphrase',
    });
    expectPortalError(wrong, 401, 'invalid_credentials');
    expect((await elsewhereApi.get('/me')).status).toBe(200);
    expectPortalError(
      await frank.api.post('/me/password', { current_password: PASSWORD, new_password: 'short' }),
      400,
      'validation_failed',
    );

    const changed = await frank.api.post('/me/password', {
      current_password: PASSWORD,
      new_password: 'a new passphrase',
    });
    expect(changed.status).toBe(200);
    expect((await frank.api.get('/me')).status).toBe(200);
    expectPortalError(await elsewhereApi.get('/me'), 401, 'unauthenticated');
    expectPortalError(
      await anonymous.post('/auth/login', { email: frank.email, password: PASSWORD }),
      401,
      'invalid_credentials',
    );
    expect(
      (await anonymous.post('/auth/login', { email: frank.email, password: 'a new passphrase' })).status,
    ).toBe(200);
  });

  it('logs out: the access token and the refresh token stop working', async () => {
    const gina = await signUp(server.url, 'gina');
    expect((await gina.api.post('/auth/logout')).status).toBe(200);
    expectPortalError(await gina.api.get('/me'), 401, 'unauthenticated');
    expectPortalError(
      await anonymous.post('/auth/refresh', { refresh_token: gina.refreshToken }),
      401,
      'refresh_token_reused',
    );
  });

  it('never takes a chat token on the portal, nor a portal token on the chat API', async () => {
    const hank = await signUp(server.url, 'hank');
    const t = await testAppOn(server);
    const userApi = await t.user('u1');
    expect((await userApi.get('/v1/users/me')).status).toBe(200);
    // The chat user's token, and the app's server token, at the portal.
    for (const token of [userApi.token!, t.server.token!]) {
      expectPortalError(await anonymous.as(token).get('/me'), 401, 'unauthenticated');
    }
    // The customer's portal token at the chat API, with the app's key.
    const chat = new Api(server.url, t.app.api_key, hank.api.token);
    const reply = await chat.get('/v1/users/me');
    expect(reply.status).toBe(401);
    expect(reply.body.error.code).toBe('unauthenticated');
    expectPortalError(await anonymous.get('/me'), 401, 'unauthenticated');
    expectPortalError(await anonymous.as('garbage').get('/me'), 401, 'unauthenticated');
  });

  it('limits sign-ups per address, creating nothing once refused', async () => {
    const strict = await startTestServer({ http: { portalSignUpsPerIpPerHour: 2 } });
    try {
      const portal = new Portal(strict.url);
      for (let i = 0; i < 2; i++) {
        expect(
          (await portal.post('/auth/signup', { email: email(`n${i}`), password: PASSWORD })).status,
        ).toBe(201);
      }
      const address = email('third');
      const refused = await portal.post('/auth/signup', { email: address, password: PASSWORD });
      expectPortalError(refused, 429, 'rate_limited');
      expect(refused.body.error.details.retry_after_ms).toBeGreaterThan(0);
      expect(await countCustomers(address)).toBe(0);
    } finally {
      await strict.close();
    }
  });
});
