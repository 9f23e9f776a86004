import { type PortalEndpoint, type PortalEndpointName, portalEndpoints } from '@chat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerToken, createUserToken } from '../src/domain/auth/index';
import type { ChatServer } from '../src/startup/server';
import { startTestServer } from './api';
import { createTestApp } from './harness';
import { type Customer, join, newTeam, Portal, signUp } from './portal-client';

/**
 * The portal's tenancy sweep: every endpoint that names a team, an application, a member, an
 * invitation or a session, called by the owner of another team with team A's ids, answers 404
 * and changes nothing of A; and no chat token (a user's or an application backend's) opens any
 * portal endpoint.
 */

let server: ChatServer;
beforeAll(async () => {
  server = await startTestServer({ http: { portalSignUpsPerIpPerHour: 1_000 } });
});
afterAll(() => server?.close());

/** A valid body for each endpoint that takes one (what B would send to its own resources). */
const BODIES: Partial<Record<PortalEndpointName, unknown>> = {
  updateTeam: { name: 'Taken over' },
  setTeamRole: { role: 'viewer' },
  createTeamInvite: { role: 'owner' },
  createApplication: { name: 'Planted' },
  updateApplication: { name: 'Renamed by B', allow_registration: true },
  rotateApplicationSecret: { grace_seconds: 0 },
  mintApplicationToken: { server: true },
  updateApplicationConfig: { channel_type_overrides: { messaging: { send: 'none' } } },
  supportQueryChannels: {},
};

/** A valid query string for each endpoint that needs one. */
const QUERIES: Partial<Record<PortalEndpointName, string>> = { supportSearchMessages: '?query=secret' };

function pathOf(endpoint: PortalEndpoint, ids: Record<string, string>): string {
  return endpoint.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const id = ids[name];
    if (!id) throw new Error(`no id for {${name}} in ${endpoint.path}`);
    return id;
  });
}

/** What B could learn or change of A: read back after the sweep, compared with before. */
async function stateOf(owner: Customer, teamId: string, appId: string) {
  const [team, members, invites, apps, sessions, app] = await Promise.all([
    owner.api.get(`/teams/${teamId}`),
    owner.api.get(`/teams/${teamId}/members`),
    owner.api.get(`/teams/${teamId}/invites`),
    owner.api.get(`/teams/${teamId}/apps`),
    owner.api.get('/me/sessions'),
    server.store.db.selectFrom('applications').selectAll().where('id', '=', appId).executeTakeFirstOrThrow(),
  ]);
  return {
    team: team.body,
    members: members.body,
    invites: invites.body,
    apps: apps.body,
    sessions: sessions.body.sessions.map((s: { id: string }) => s.id),
    secret: app.api_secret,
    active: app.is_active,
    permissions: app.channel_permissions,
  };
}

describe('portal tenancy', () => {
  it("gives the owner of team B nothing of team A's, by any id, through any endpoint", async () => {
    const ownerA = await signUp(server.url, 'owner-a');
    const memberA = await signUp(server.url, 'member-a');
    const teamA = await newTeam(ownerA, 'A');
    await join(ownerA, teamA, memberA, 'developer');
    const appA = (await ownerA.api.post(`/teams/${teamA}/apps`, { name: 'A app' })).body.application.id;
    const inviteA = (await ownerA.api.post(`/teams/${teamA}/invites`, { role: 'viewer' })).body.invite.id;
    const sessionA = (await ownerA.api.get('/me/sessions')).body.sessions[0].id;

    const ownerB = await signUp(server.url, 'owner-b');
    await newTeam(ownerB, 'B');
    const before = await stateOf(ownerA, teamA, appA);
    const ids = {
      teamId: teamA,
      appId: appA,
      customerId: memberA.id,
      inviteId: inviteA,
      sessionId: sessionA,
    };

    const swept: string[] = [];
    for (const [name, endpoint] of Object.entries(portalEndpoints) as [
      PortalEndpointName,
      PortalEndpoint,
    ][]) {
      if (!endpoint.params) continue;
      const path = pathOf(endpoint, ids) + (QUERIES[name] ?? '');
      const reply = await ownerB.api.request(endpoint.method, path, BODIES[name]);
      expect(reply.status, `${name}: ${JSON.stringify(reply.body)}`).toBe(404);
      expect(reply.body.error.code).toBe('not_found');
      swept.push(name);
    }
    // Every endpoint with ids was tried (a new one joins the sweep by itself).
    expect(swept.length).toBeGreaterThanOrEqual(24);
    // B's own lists show nothing of A.
    const bTeams = (await ownerB.api.get('/teams')).body.teams;
    expect(bTeams.map((t: { name: string }) => t.name)).toEqual(['B']);
    expect(await stateOf(ownerA, teamA, appA)).toEqual(before);
    // Applications made outside the portal (the operator's CLI) belong to no team: out of reach too.
    const cliApp = await createTestApp(server.store.db);
    expect((await ownerB.api.get(`/apps/${cliApp.id}`)).status).toBe(404);
  });

  it('opens no portal endpoint to a chat token, a garbage token or none', async () => {
    const app = await createTestApp(server.store.db);
    const tokens = {
      user: await createUserToken(app.api_secret, 'someone'),
      server: await createServerToken(app.api_secret),
      garbage: 'x.y.z',
      none: undefined,
    };
    const ids = {
      teamId: '00000000-0000-4000-8000-000000000000',
      appId: app.id,
      customerId: '00000000-0000-4000-8000-000000000001',
      inviteId: '00000000-0000-4000-8000-000000000002',
      sessionId: '00000000-0000-4000-8000-000000000003',
    };
    for (const [kind, token] of Object.entries(tokens)) {
      const portal = new Portal(server.url, token);
      for (const [name, endpoint] of Object.entries(portalEndpoints) as [
        PortalEndpointName,
        PortalEndpoint,
      ][]) {
        if (endpoint.auth !== 'customer') continue;
        const path = pathOf(endpoint, ids) + (QUERIES[name] ?? '');
        const reply = await portal.request(endpoint.method, path, BODIES[name]);
        expect(reply.status, `${kind} → ${name}`).toBe(401);
        expect(reply.body.error.code).toBe('unauthenticated');
      }
    }
    const unchanged = await server.store.db
      .selectFrom('applications')
      .selectAll()
      .where('id', '=', app.id)
      .executeTakeFirstOrThrow();
    expect(unchanged.api_secret).toBe(app.api_secret);
  });
});
