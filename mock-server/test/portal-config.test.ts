import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerToken, createUserToken } from '../src/domain/auth/index';
import { PERMISSIONS } from '../src/domain/channels/permissions';
import type { ChatServer } from '../src/startup/server';
import { Api, clientId, startTestServer } from './api';
import { TEST_SECRET_KEY } from './harness';
import { type Customer, expectPortalError, newTeam, signUp } from './portal-client';
import { channelPath, createChannel } from './rest-helpers';
import { twoNodesRun, useTwoNodes } from './two-nodes';
import { WsClient } from './ws-client';

/**
 * An application's configuration in the portal: the channel types' permission table, today's
 * hard-coded table as the default, changed per application and in force without a restart, over
 * REST and on sockets already open, on the node that made the change and on the others.
 */

let server: ChatServer;
beforeAll(async () => {
  server = await startTestServer({ http: { portalSignUpsPerIpPerHour: 1_000 } });
});
afterAll(() => server?.close());

interface Setup {
  owner: Customer;
  appId: string;
  apiKey: string;
  secret: string;
}

async function setUp(node: ChatServer): Promise<Setup> {
  const owner = await signUp(node.url, 'owner');
  const teamId = await newTeam(owner);
  const made = await owner.api.post(`/teams/${teamId}/apps`, { name: 'Configured' });
  return {
    owner,
    appId: made.body.application.id,
    apiKey: made.body.application.api_key,
    secret: made.body.api_secret,
  };
}

const userApi = async (node: ChatServer, s: Setup, id: string) =>
  new Api(node.url, s.apiKey, await createUserToken(s.secret, id));

async function sendOverSocket(socket: WsClient, cid: string) {
  return socket.request({ type: 'message.send', cid, message: { client_msg_id: clientId(), text: 'hi' } });
}

describe('the permission table of an application', () => {
  it("is today's table by default, and a change is in force at once over REST and on open sockets", async () => {
    const s = await setUp(server);
    const initial = await s.owner.api.get(`/apps/${s.appId}/config`);
    expect(initial.status).toBe(200);
    expect(initial.body.config.channel_types).toEqual(JSON.parse(JSON.stringify(PERMISSIONS)));
    expect(initial.body.config.channel_type_overrides).toEqual({});

    const backend = new Api(server.url, s.apiKey, await createServerToken(s.secret));
    await backend.post('/v1/users', { users: [{ id: 'ann' }, { id: 'ben' }] });
    const ann = await userApi(server, s, 'ann');
    const cid = await createChannel(ann, 'room', ['ben']);
    const ben = await userApi(server, s, 'ben');
    const socket = await WsClient.connect(server.wsUrl, s.apiKey, await createUserToken(s.secret, 'ben'));
    expect((await sendOverSocket(socket, cid)).type).toBe('ack');

    // Only moderators may send in messaging channels of this app now.
    const changed = await s.owner.api.patch(`/apps/${s.appId}/config`, {
      channel_type_overrides: { messaging: { send: 'moderator' }, team: { read: 'none', join: 'none' } },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.config.channel_types.messaging.send).toBe('moderator');
    expect(changed.body.config.channel_types.messaging.react).toBe(PERMISSIONS.messaging.react);
    const refused = await ben.post(`${channelPath(cid)}/messages`, { client_msg_id: clientId(), text: 'no' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    const overSocket = await sendOverSocket(socket, cid);
    expect(overSocket.type === 'error' && overSocket.error.code).toBe('forbidden');
    // Team channels are now public, as livestreams are: one shows in the browse list.
    const made = await backend.post('/v1/channels', {
      type: 'team',
      id: 'open-team',
      members: ['ann'],
      created_by_id: 'ann',
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const browse = await ben.post('/v1/channels/query', { filter: { joinable: true } });
    expect(browse.status, JSON.stringify(browse.body)).toBe(200);
    expect(browse.body.channels.map((c: { channel: { cid: string } }) => c.channel.cid)).toContain(
      'team:open-team',
    );

    // Back to the defaults.
    const reset = await s.owner.api.patch(`/apps/${s.appId}/config`, { channel_type_overrides: {} });
    expect(reset.body.config.channel_types).toEqual(JSON.parse(JSON.stringify(PERMISSIONS)));
    expect((await sendOverSocket(socket, cid)).type).toBe('ack');
    socket.close();
  });

  it('changes only what it names, for that application only', async () => {
    const a = await setUp(server);
    const b = await setUp(server);
    await a.owner.api.patch(`/apps/${a.appId}/config`, {
      channel_type_overrides: { messaging: { send: 'admin' } },
    });
    const bBackend = new Api(server.url, b.apiKey, await createServerToken(b.secret));
    await bBackend.post('/v1/users', { users: [{ id: 'ann' }, { id: 'ben' }] });
    const cid = await createChannel(await userApi(server, b, 'ann'), 'room', ['ben']);
    const sent = await (await userApi(server, b, 'ben')).post(`${channelPath(cid)}/messages`, {
      client_msg_id: clientId(),
      text: 'in b',
    });
    expect(sent.status).toBe(201);
    expect((await b.owner.api.get(`/apps/${b.appId}/config`)).body.config.channel_type_overrides).toEqual({});
  });

  it('refuses what is not a permission table, changing nothing; viewers may read it but not change it', async () => {
    const s = await setUp(server);
    await s.owner.api.patch(`/apps/${s.appId}/config`, {
      channel_type_overrides: { team: { pin: 'moderator' } },
    });
    for (const body of [
      { channel_type_overrides: { secret: { send: 'member' } } },
      { channel_type_overrides: { messaging: { fly: 'member' } } },
      { channel_type_overrides: { messaging: { send: 'owner' } } },
      { channel_type_overrides: { messaging: 'member' } },
      { channel_type_overrides: null },
      { channel_type_overrides: {}, extra: true },
      {},
    ]) {
      expectPortalError(await s.owner.api.patch(`/apps/${s.appId}/config`, body), 400, 'validation_failed');
    }
    const after = (await s.owner.api.get(`/apps/${s.appId}/config`)).body.config;
    expect(after.channel_type_overrides).toEqual({ team: { pin: 'moderator' } });
  });
});

describe.skipIf(!twoNodesRun('portal config'))('on two nodes', () => {
  const { nodes } = useTwoNodes('portalcfg', () => ({
    secretKey: TEST_SECRET_KEY,
    http: { portalSignUpsPerIpPerHour: 1_000 },
  }));

  it('a change made through one node judges the next frame of a socket on the other', async () => {
    const [a, b] = nodes as [ChatServer, ChatServer];
    const s = await setUp(a);
    const backend = new Api(b.url, s.apiKey, await createServerToken(s.secret));
    await backend.post('/v1/users', { users: [{ id: 'ann' }, { id: 'ben' }] });
    const cid = await createChannel(await userApi(b, s, 'ann'), 'room', ['ben']);
    const onB = await WsClient.connect(b.wsUrl, s.apiKey, await createUserToken(s.secret, 'ben'));
    expect((await sendOverSocket(onB, cid)).type).toBe('ack');

    await s.owner.api.patch(`/apps/${s.appId}/config`, {
      channel_type_overrides: { messaging: { send: 'admin' } },
    });
    await expect
      .poll(async () => {
        const reply = await sendOverSocket(onB, cid);
        return reply.type === 'error' ? reply.error.code : 'sent';
      })
      .toBe('forbidden');
    onB.close();
  });
});
