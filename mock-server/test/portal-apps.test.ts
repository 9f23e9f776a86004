import { CLOSE_CODES } from '@chat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createUserToken } from '../src/domain/auth/index';
import type { ChatServer } from '../src/startup/server';
import { Api, startTestServer } from './api';
import { TEST_SECRET_KEY } from './harness';
import { type Customer, expectPortalError, newTeam, signUp } from './portal-client';
import { twoNodesRun, useTwoNodes } from './two-nodes';
import { WsClient } from './ws-client';

/**
 * Applications of a team, seen from the chat API: one made in the portal serves chat at once; a
 * secret rotation keeps tokens of the old secret working for the grace window chosen (and the new
 * secret working at once, on every node), then not; a disabled application is refused with
 * `app_disabled`, its open sockets closed; a deleted one names nothing.
 */

let server: ChatServer;
beforeAll(async () => {
  server = await startTestServer({ http: { portalSignUpsPerIpPerHour: 1_000 } });
});
afterAll(() => server?.close());

interface MadeApp {
  id: string;
  apiKey: string;
  secret: string;
}

async function makeApp(owner: Customer, teamId: string, name = 'Chat'): Promise<MadeApp> {
  const reply = await owner.api.post(`/teams/${teamId}/apps`, { name });
  expect(reply.status).toBe(201);
  return {
    id: reply.body.application.id,
    apiKey: reply.body.application.api_key,
    secret: reply.body.api_secret,
  };
}

const me = (node: ChatServer, apiKey: string, token: string) =>
  new Api(node.url, apiKey, token).get('/v1/users/me');

async function expectSocketRefused(
  node: ChatServer,
  apiKey: string,
  token: string,
  code: string,
  close: number,
) {
  const socket = await WsClient.open(node.wsUrl, apiKey);
  const reply = await socket.request({ type: 'auth', token }).catch(() => null);
  const error = reply?.type === 'error' ? reply.error : socket.frames.find((f) => f.type === 'error')?.error;
  expect(error?.code).toBe(code);
  expect(await socket.waitForClose()).toBe(close);
}

/** What a new socket of the app hears before it closes (listening from the first byte). */
function refusedSocket(node: ChatServer, apiKey: string): Promise<{ frames: unknown[]; code: number }> {
  const ws = new WebSocket(`${node.wsUrl}?api_key=${apiKey}`);
  const frames: unknown[] = [];
  ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString())));
  return new Promise((resolve) => ws.on('close', (code) => resolve({ frames, code })));
}

describe('an application made in the portal', () => {
  it('serves chat at once, with tokens minted there or signed with its secret', async () => {
    const owner = await signUp(server.url, 'owner');
    const teamId = await newTeam(owner);
    const app = await makeApp(owner, teamId);
    const minted = await owner.api.post(`/apps/${app.id}/tokens`, { server: true, expires_in_seconds: 600 });
    expect(minted.status).toBe(201);
    const backend = new Api(server.url, app.apiKey, minted.body.token);
    expect((await backend.post('/v1/users', { users: [{ id: 'ann' }] })).status).toBe(200);
    const ann = await owner.api.post(`/apps/${app.id}/tokens`, { user_id: 'ann' });
    expect((await me(server, app.apiKey, ann.body.token)).body.user.id).toBe('ann');
    const socket = await WsClient.connect(server.wsUrl, app.apiKey, await createUserToken(app.secret, 'ann'));
    socket.close();
    // The secret is shown once: never again by the API.
    const shown = await owner.api.get(`/apps/${app.id}`);
    expect(JSON.stringify(shown.body)).not.toContain(app.secret);
    expect(shown.body.application).toMatchObject({ id: app.id, team_id: teamId, status: 'active' });
  });

  it('refuses bad configuration and token requests, changing nothing', async () => {
    const owner = await signUp(server.url, 'owner');
    const teamId = await newTeam(owner);
    const app = await makeApp(owner, teamId, 'Kept');
    for (const body of [
      {},
      { name: '' },
      { allowed_origins: ['javascript:alert(1)'] },
      { is_active: false },
    ]) {
      expectPortalError(await owner.api.patch(`/apps/${app.id}`, body), 400, 'validation_failed');
    }
    for (const body of [{ grace_seconds: -1 }, { grace_seconds: 604_801 }, { grace_seconds: 1.5 }]) {
      expectPortalError(
        await owner.api.post(`/apps/${app.id}/secret/rotate`, body),
        400,
        'validation_failed',
      );
    }
    for (const body of [
      { server: true, user_id: 'ann' },
      { server: false },
      { user_id: 'has space' },
      { server: true, expires_in_seconds: 86_401 },
      {},
    ]) {
      expectPortalError(await owner.api.post(`/apps/${app.id}/tokens`, body), 400, 'validation_failed');
    }
    const after = (await owner.api.get(`/apps/${app.id}`)).body.application;
    expect(after).toMatchObject({ name: 'Kept', status: 'active', secret_rotated_at: null });
    expect((await me(server, app.apiKey, await createUserToken(app.secret, 'u'))).status).toBe(200);
  });
});

describe('secret rotation', () => {
  it('keeps the old secret verifying for the grace window, the new one at once, then only the new', async () => {
    const owner = await signUp(server.url, 'owner');
    const teamId = await newTeam(owner);
    const app = await makeApp(owner, teamId);
    const oldToken = await createUserToken(app.secret, 'live-user');
    expect((await me(server, app.apiKey, oldToken)).status).toBe(200);
    const live = await WsClient.connect(server.wsUrl, app.apiKey, oldToken);

    const rotated = await owner.api.post(`/apps/${app.id}/secret/rotate`, { grace_seconds: 3 });
    expect(rotated.status).toBe(200);
    const newSecret = rotated.body.api_secret as string;
    expect(newSecret).not.toBe(app.secret);
    expect(rotated.body.application.previous_secret_expires_at).not.toBeNull();

    // Both verify during the window, over REST and on a new socket; the live socket stays.
    expect((await me(server, app.apiKey, await createUserToken(newSecret, 'new-user'))).status).toBe(200);
    expect((await me(server, app.apiKey, oldToken)).status).toBe(200);
    (await WsClient.connect(server.wsUrl, app.apiKey, oldToken)).close();
    expect(live.closeCode).toBeNull();

    // After it, the old secret's tokens are refused; the new secret's work.
    await new Promise((resolve) => setTimeout(resolve, 3_200));
    const refused = await me(server, app.apiKey, oldToken);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('unauthenticated');
    await expectSocketRefused(server, app.apiKey, oldToken, 'unauthenticated', CLOSE_CODES.UNAUTHENTICATED);
    expect((await me(server, app.apiKey, await createUserToken(newSecret, 'later'))).status).toBe(200);
    live.close();
  });

  it('with no grace (a leaked secret) stops the old secret at once', async () => {
    const owner = await signUp(server.url, 'owner');
    const teamId = await newTeam(owner);
    const app = await makeApp(owner, teamId);
    const oldToken = await createUserToken(app.secret, 'u');
    expect((await me(server, app.apiKey, oldToken)).status).toBe(200);
    const rotated = await owner.api.post(`/apps/${app.id}/secret/rotate`, { grace_seconds: 0 });
    expect(rotated.body.application.previous_secret_expires_at).toBeNull();
    expect((await me(server, app.apiKey, oldToken)).status).toBe(401);
    expect((await me(server, app.apiKey, await createUserToken(rotated.body.api_secret, 'u'))).status).toBe(
      200,
    );
  });
});

describe('a disabled application', () => {
  it('is refused with app_disabled, its open sockets closed, until enabled', async () => {
    const owner = await signUp(server.url, 'owner');
    const teamId = await newTeam(owner);
    const app = await makeApp(owner, teamId);
    const token = await createUserToken(app.secret, 'u');
    const open = await WsClient.connect(server.wsUrl, app.apiKey, token);

    const disabled = await owner.api.post(`/apps/${app.id}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.body.application.status).toBe('disabled');
    expect(await open.waitForClose()).toBe(CLOSE_CODES.APP_DISABLED);
    expect(open.frames.some((f) => f.type === 'error' && f.error.code === 'app_disabled')).toBe(true);

    const rest = await me(server, app.apiKey, token);
    expect(rest.status).toBe(403);
    expect(rest.body.error.code).toBe('app_disabled');
    const login = await new Api(server.url, app.apiKey).post('/v1/auth/login', {
      username: 'u',
      password: 'whatever1',
    });
    expect(login.body.error.code).toBe('app_disabled');
    expect(await refusedSocket(server, app.apiKey)).toEqual({
      frames: [{ type: 'error', error: expect.objectContaining({ code: 'app_disabled' }) }],
      code: CLOSE_CODES.APP_DISABLED,
    });

    expect((await owner.api.post(`/apps/${app.id}/enable`)).body.application.status).toBe('active');
    expect((await me(server, app.apiKey, token)).status).toBe(200);
    (await WsClient.connect(server.wsUrl, app.apiKey, token)).close();
  });

  it('once deleted, names nothing: not in the portal, not on the chat API', async () => {
    const owner = await signUp(server.url, 'owner');
    const teamId = await newTeam(owner);
    const app = await makeApp(owner, teamId, 'Doomed');
    const kept = await makeApp(owner, teamId, 'Kept');
    const token = await createUserToken(app.secret, 'u');
    const open = await WsClient.connect(server.wsUrl, app.apiKey, token);
    expect((await owner.api.delete(`/apps/${app.id}`)).status).toBe(200);
    expect(await open.waitForClose()).toBe(CLOSE_CODES.APP_DISABLED);
    const rest = await me(server, app.apiKey, token);
    expect(rest.status).toBe(401);
    expect(rest.body.error.code).toBe('invalid_api_key');
    expectPortalError(await owner.api.get(`/apps/${app.id}`), 404, 'not_found');
    expectPortalError(await owner.api.post(`/apps/${app.id}/enable`), 404, 'not_found');
    const list = (await owner.api.get(`/teams/${teamId}/apps`)).body.applications;
    expect(list.map((a: { id: string }) => a.id)).toEqual([kept.id]);
  });
});

describe.skipIf(!twoNodesRun('portal'))('on two nodes', () => {
  const { nodes } = useTwoNodes('portal2', () => ({
    secretKey: TEST_SECRET_KEY,
    http: { portalSignUpsPerIpPerHour: 1_000 },
  }));

  it('a rotation on one node verifies the new secret on the other at once; a disable there closes sockets', async () => {
    const [a, b] = nodes as [ChatServer, ChatServer];
    const owner = await signUp(a.url, 'owner');
    const teamId = await newTeam(owner);
    const app = await makeApp(owner, teamId);
    // Node b reads and remembers the application with its first secret.
    expect((await me(b, app.apiKey, await createUserToken(app.secret, 'u'))).status).toBe(200);
    const onB = await WsClient.connect(b.wsUrl, app.apiKey, await createUserToken(app.secret, 'v'));

    const rotated = await owner.api.post(`/apps/${app.id}/secret/rotate`, {});
    const fresh = await createUserToken(rotated.body.api_secret, 'u');
    expect((await me(b, app.apiKey, fresh)).status).toBe(200);
    (await WsClient.connect(b.wsUrl, app.apiKey, fresh)).close();

    expect((await owner.api.post(`/apps/${app.id}/disable`)).status).toBe(200);
    expect(await onB.waitForClose()).toBe(CLOSE_CODES.APP_DISABLED);
  });
});
