import { CLOSE_CODES } from '@chat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserToken } from '../src/domain/auth/index';
import type { ChatServer } from '../src/startup/server';
import { getTestServer, newTestApp, startTestServer, testAppOn } from './api';
import { WsClient } from './ws-client';

/** App-minted tokens have a longest lifetime, by default a day and configurable per server. */

let short: ChatServer;
beforeAll(async () => {
  short = await startTestServer({ maxTokenLifetimeSeconds: 600 });
});
afterAll(() => short?.close());

describe('token lifetime', () => {
  it('by default, a token minted for two days is refused over REST and on the socket', async () => {
    const server = await getTestServer();
    const t = await newTestApp();
    const token = await createUserToken(t.app.api_secret, 'alice', { expiresIn: '2d' });
    const reply = await t.anonymous.as(token).get('/v1/users/me');
    expect(reply.status).toBe(401);
    expect(reply.body.error.message).toMatch(/lifetime/);
    const socket = await WsClient.open(server.wsUrl, t.app.api_key);
    const answer = await socket.request({ type: 'auth', token });
    expect(answer).toMatchObject({ type: 'error', error: { code: 'unauthenticated' } });
    expect(await socket.waitForClose()).toBe(CLOSE_CODES.UNAUTHENTICATED);
    // A day is fine.
    const day = await createUserToken(t.app.api_secret, 'alice', { expiresIn: '24h' });
    expect((await t.anonymous.as(day).get('/v1/users/me')).status).toBe(200);
  });

  it('a server configured for ten minutes refuses an hour-long token', async () => {
    const t = await testAppOn(short);
    const hour = await createUserToken(t.app.api_secret, 'alice', { expiresIn: '1h' });
    expect((await t.anonymous.as(hour).get('/v1/users/me')).status).toBe(401);
    const minutes = await createUserToken(t.app.api_secret, 'alice', { expiresIn: '5m' });
    expect((await t.anonymous.as(minutes).get('/v1/users/me')).status).toBe(200);
  });
});
