import { PORTAL_PERMISSIONS, type PortalPermission, TEAM_ROLES, type TeamRole } from '@chat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatServer } from '../src/startup/server';
import { startTestServer } from './api';
import { type Customer, expectPortalError, join, newTeam, signUp } from './portal-client';

/**
 * Teams: invitations (single use, expiring, revocable, never above the inviter's role), the role
 * table enforced as written (a matrix of every role against every endpoint a permission guards),
 * and the last owner, who can neither leave nor be demoted, even by two owners racing.
 */

let server: ChatServer;
beforeAll(async () => {
  server = await startTestServer({ http: { portalSignUpsPerIpPerHour: 1_000 } });
});
afterAll(() => server?.close());

const members = async (who: Customer, teamId: string) =>
  Object.fromEntries(
    (await who.api.get(`/teams/${teamId}/members`)).body.members.map(
      (m: { customer_id: string; role: string }) => [m.customer_id, m.role],
    ),
  );

describe('team invitations', () => {
  it('lets whoever holds the link in once, with its role', async () => {
    const owner = await signUp(server.url, 'owner');
    const dev = await signUp(server.url, 'dev');
    const late = await signUp(server.url, 'late');
    const teamId = await newTeam(owner);
    const invite = await owner.api.post(`/teams/${teamId}/invites`, { role: 'developer', email: dev.email });
    expect(invite.status).toBe(201);
    expect(invite.body.invite).toMatchObject({ role: 'developer', email: dev.email, status: 'pending' });

    // Not a member yet: the team does not exist for them.
    expectPortalError(await dev.api.get(`/teams/${teamId}`), 404, 'not_found');
    const accepted = await dev.api.post('/invites/accept', { token: invite.body.token });
    expect(accepted.status).toBe(200);
    expect(accepted.body.team).toMatchObject({ id: teamId, role: 'developer' });
    expect(accepted.body.team.permissions).toEqual(
      Object.keys(PORTAL_PERMISSIONS).filter((p) =>
        (PORTAL_PERMISSIONS[p as PortalPermission] as readonly string[]).includes('developer'),
      ),
    );
    expect(await members(owner, teamId)).toEqual({ [owner.id]: 'owner', [dev.id]: 'developer' });

    // The same link again, by someone else: used.
    const reused = await late.api.post('/invites/accept', { token: invite.body.token });
    expectPortalError(reused, 410, 'invite_unusable');
    expect(reused.body.error.details.reason).toBe('used');
    expect((await owner.api.get(`/teams/${teamId}/invites`)).body.invites[0].status).toBe('accepted');
    expect(Object.keys(await members(owner, teamId))).toHaveLength(2);
  });

  it('refuses expired, revoked and unknown links, and a member joining twice, changing nothing', async () => {
    const owner = await signUp(server.url, 'owner');
    const guest = await signUp(server.url, 'guest');
    const teamId = await newTeam(owner);
    const expiring = await owner.api.post(`/teams/${teamId}/invites`, {
      role: 'viewer',
      expires_in_hours: 1,
    });
    await server.store.db
      .updateTable('team_invites')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', expiring.body.invite.id)
      .execute();
    const expired = await guest.api.post('/invites/accept', { token: expiring.body.token });
    expectPortalError(expired, 410, 'invite_unusable');
    expect(expired.body.error.details.reason).toBe('expired');

    const revoking = await owner.api.post(`/teams/${teamId}/invites`, { role: 'viewer' });
    expect((await owner.api.delete(`/teams/${teamId}/invites/${revoking.body.invite.id}`)).status).toBe(200);
    expectPortalError(
      await owner.api.delete(`/teams/${teamId}/invites/${revoking.body.invite.id}`),
      404,
      'not_found',
    );
    const revoked = await guest.api.post('/invites/accept', { token: revoking.body.token });
    expectPortalError(revoked, 410, 'invite_unusable');
    expect(revoked.body.error.details.reason).toBe('revoked');

    expectPortalError(await guest.api.post('/invites/accept', { token: 'x'.repeat(43) }), 404, 'not_found');
    expectPortalError(await guest.api.post('/invites/accept', { token: 'short' }), 400, 'validation_failed');
    expect(Object.keys(await members(owner, teamId))).toEqual([owner.id]);

    // Already in: the link stays unused (an invitation never changes a member's role).
    const own = await owner.api.post(`/teams/${teamId}/invites`, { role: 'viewer' });
    expectPortalError(await owner.api.post('/invites/accept', { token: own.body.token }), 409, 'conflict');
    expect(await members(owner, teamId)).toEqual({ [owner.id]: 'owner' });
    const pending = (await owner.api.get(`/teams/${teamId}/invites`)).body.invites;
    expect(pending.find((i: { id: string }) => i.id === own.body.invite.id).status).toBe('pending');
  });

  it('refuses bad invitations: unknown roles, lifetimes out of bounds, roles above the inviter', async () => {
    const owner = await signUp(server.url, 'owner');
    const admin = await signUp(server.url, 'admin');
    const teamId = await newTeam(owner);
    await join(owner, teamId, admin, 'admin');
    for (const body of [
      { role: 'superuser' },
      { role: 'viewer', expires_in_hours: 0 },
      { role: 'viewer', expires_in_hours: 721 },
      { role: 'viewer', email: 'nope' },
      {},
    ]) {
      expectPortalError(await owner.api.post(`/teams/${teamId}/invites`, body), 400, 'validation_failed');
    }
    expectPortalError(await admin.api.post(`/teams/${teamId}/invites`, { role: 'owner' }), 403, 'forbidden');
    expect((await admin.api.post(`/teams/${teamId}/invites`, { role: 'admin' })).status).toBe(201);
    expect((await owner.api.get(`/teams/${teamId}/invites`)).body.invites).toHaveLength(2);
  });
});

/** One request per permission the API guards today, made by `who` in `teamId`. */
function guardedActions(teamId: string, appId: string, targetId: string) {
  return {
    'team.view': (who: Customer) => who.api.get(`/teams/${teamId}`),
    'team.manage': (who: Customer) => who.api.patch(`/teams/${teamId}`, { name: 'Renamed' }),
    'members.invite': (who: Customer) => who.api.post(`/teams/${teamId}/invites`, { role: 'viewer' }),
    'members.manage': (who: Customer) =>
      who.api.patch(`/teams/${teamId}/members/${targetId}`, { role: 'viewer' }),
    'apps.create': (who: Customer) => who.api.post(`/teams/${teamId}/apps`, { name: 'Made' }),
    'apps.configure': (who: Customer) => who.api.patch(`/apps/${appId}`, { name: 'Configured' }),
    'keys.manage': (who: Customer) => who.api.post(`/apps/${appId}/tokens`, { server: true }),
  } satisfies Partial<Record<PortalPermission, unknown>>;
}

describe('the role table', () => {
  it('is enforced as written: every role against every guarded endpoint', async () => {
    const owner = await signUp(server.url, 'owner');
    const teamId = await newTeam(owner);
    const byRole = { owner } as Record<TeamRole, Customer>;
    for (const role of TEAM_ROLES.filter((r) => r !== 'owner')) {
      byRole[role] = await signUp(server.url, role);
      await join(owner, teamId, byRole[role], role);
    }
    const target = await signUp(server.url, 'target');
    await join(owner, teamId, target, 'viewer');
    const app = await owner.api.post(`/teams/${teamId}/apps`, { name: 'Matrix' });
    const actions = guardedActions(teamId, app.body.application.id, target.id);

    const seen: Record<string, Record<string, number>> = {};
    const expected: Record<string, Record<string, number>> = {};
    for (const [permission, act] of Object.entries(actions)) {
      const allowedRoles = PORTAL_PERMISSIONS[permission as PortalPermission] as readonly string[];
      seen[permission] = {};
      expected[permission] = {};
      for (const role of TEAM_ROLES) {
        const reply = await act(byRole[role]);
        seen[permission][role] = reply.status;
        const allowed = allowedRoles.includes(role);
        expected[permission][role] = allowed ? (reply.status === 201 ? 201 : 200) : 403;
        if (!allowed) expect(reply.body.error.code).toBe('forbidden');
      }
    }
    expect(seen).toEqual(expected);
    // Deleting: the last guarded action, on apps made for it.
    for (const role of TEAM_ROLES) {
      const made = await owner.api.post(`/teams/${teamId}/apps`, { name: `doomed by ${role}` });
      const reply = await byRole[role].api.delete(`/apps/${made.body.application.id}`);
      const allowed = (PORTAL_PERMISSIONS['apps.delete'] as readonly string[]).includes(role);
      expect(reply.status, role).toBe(allowed ? 200 : 403);
    }
  });

  it('is published for a dashboard to show', async () => {
    const someone = await signUp(server.url, 'reader');
    const reply = await someone.api.get('/roles');
    expect(reply.status).toBe(200);
    expect(reply.body.roles).toEqual([...TEAM_ROLES]);
    expect(reply.body.permissions).toEqual(JSON.parse(JSON.stringify(PORTAL_PERMISSIONS)));
  });

  it('lets an admin manage members below owner only', async () => {
    const owner = await signUp(server.url, 'owner');
    const admin = await signUp(server.url, 'admin');
    const dev = await signUp(server.url, 'dev');
    const teamId = await newTeam(owner);
    await join(owner, teamId, admin, 'admin');
    await join(owner, teamId, dev, 'developer');
    expect((await admin.api.patch(`/teams/${teamId}/members/${dev.id}`, { role: 'moderator' })).status).toBe(
      200,
    );
    expectPortalError(
      await admin.api.patch(`/teams/${teamId}/members/${dev.id}`, { role: 'owner' }),
      403,
      'forbidden',
    );
    expectPortalError(
      await admin.api.patch(`/teams/${teamId}/members/${owner.id}`, { role: 'viewer' }),
      403,
      'forbidden',
    );
    expectPortalError(await admin.api.delete(`/teams/${teamId}/members/${owner.id}`), 403, 'forbidden');
    expect(await members(owner, teamId)).toEqual({
      [owner.id]: 'owner',
      [admin.id]: 'admin',
      [dev.id]: 'moderator',
    });
    expect((await admin.api.delete(`/teams/${teamId}/members/${dev.id}`)).status).toBe(200);
    expectPortalError(await dev.api.get(`/teams/${teamId}`), 404, 'not_found');
  });
});

describe('the last owner', () => {
  it('can neither leave nor be demoted; with a second owner, either can', async () => {
    const owner = await signUp(server.url, 'owner');
    const second = await signUp(server.url, 'second');
    const teamId = await newTeam(owner);
    const leave = await owner.api.delete(`/teams/${teamId}/members/${owner.id}`);
    expectPortalError(leave, 409, 'conflict');
    expect(leave.body.error.details.reason).toBe('last_owner');
    expectPortalError(
      await owner.api.patch(`/teams/${teamId}/members/${owner.id}`, { role: 'admin' }),
      409,
      'conflict',
    );
    expect(await members(owner, teamId)).toEqual({ [owner.id]: 'owner' });

    await join(owner, teamId, second, 'owner');
    expect((await owner.api.patch(`/teams/${teamId}/members/${owner.id}`, { role: 'admin' })).status).toBe(
      200,
    );
    expectPortalError(await second.api.delete(`/teams/${teamId}/members/${second.id}`), 409, 'conflict');
    expect((await owner.api.delete(`/teams/${teamId}/members/${owner.id}`)).status).toBe(200);
    expect(await members(second, teamId)).toEqual({ [second.id]: 'owner' });
  });

  it('survives two owners demoting each other at the same moment', async () => {
    for (let round = 0; round < 3; round++) {
      const a = await signUp(server.url, 'a');
      const b = await signUp(server.url, 'b');
      const teamId = await newTeam(a);
      await join(a, teamId, b, 'owner');
      const [ab, ba] = await Promise.all([
        a.api.patch(`/teams/${teamId}/members/${b.id}`, { role: 'viewer' }),
        b.api.patch(`/teams/${teamId}/members/${a.id}`, { role: 'viewer' }),
      ]);
      const statuses = [ab.status, ba.status].sort();
      // One wins; the other is refused, either as the last owner's demotion or, having lost its
      // own ownership first, as a non-owner demoting an owner.
      expect(statuses[0]).toBe(200);
      expect([403, 409]).toContain(statuses[1]);
      const roles = Object.values(await members(ab.status === 200 ? a : b, teamId));
      expect(roles.filter((r) => r === 'owner')).toHaveLength(1);
    }
  });
});
