import { type PortalEndpoint, type PortalEndpointName, portalEndpoints } from '@chat/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatServer } from '../src/startup/server';
import { startTestServer } from './api';
import { extraKey, hostileJson, materialize, type ValueRecipe } from './hostile/hostile-values';
import { type Customer, email, join, newTeam, PASSWORD, Portal, signUp } from './portal-client';

/**
 * Hostile input on the portal API (bounded fast-check runs): a body with one field replaced by a
 * hostile value (special or huge text, wrong types, huge arrays, deep nesting, near misses) or an
 * extra key is answered in the one error shape, never a 5xx, and when the schema refuses it,
 * nothing of the team, its applications or the customer changed.
 */

let server: ChatServer;
let owner: Customer;
let teamId: string;
let appId: string;
let viewerId: string;
let inviteToken: string;
beforeAll(async () => {
  server = await startTestServer({ http: { portalSignUpsPerIpPerHour: 100_000 } });
  owner = await signUp(server.url, 'hostile-owner');
  teamId = await newTeam(owner);
  const viewer = await signUp(server.url, 'viewer');
  await join(owner, teamId, viewer, 'viewer');
  viewerId = viewer.id;
  appId = (await owner.api.post(`/teams/${teamId}/apps`, { name: 'Target' })).body.application.id;
  inviteToken = (await owner.api.post(`/teams/${teamId}/invites`, { role: 'viewer' })).body.token;
}, 60_000);
afterAll(() => server?.close());

/** A valid request per endpoint with a body: what the mutations start from. */
function validBody(name: PortalEndpointName): unknown {
  const bodies: Partial<Record<PortalEndpointName, unknown>> = {
    signUp: { email: email('h'), password: PASSWORD, display_name: 'H' },
    portalLogin: { email: owner.email, password: PASSWORD },
    portalRefresh: { refresh_token: owner.refreshToken },
    updateCustomer: { display_name: 'Owner' },
    changePassword: { current_password: 'not the password', new_password: 'another passphrase' },
    createTeam: { name: 'T' },
    updateTeam: { name: 'Acme' },
    setTeamRole: { role: 'viewer' },
    createTeamInvite: { role: 'viewer', email: email('i'), expires_in_hours: 24 },
    acceptTeamInvite: { token: inviteToken },
    createApplication: { name: 'A', allow_registration: false, allowed_origins: ['https://example.com'] },
    updateApplication: { name: 'Target', allowed_origins: ['https://example.com'] },
    rotateApplicationSecret: { grace_seconds: 60 },
    mintApplicationToken: { user_id: 'u1', expires_in_seconds: 600 },
    updateApplicationConfig: { channel_type_overrides: { messaging: { send: 'member' } } },
    supportQueryChannels: { filter: { frozen: false }, limit: 10 },
  };
  return structuredClone(bodies[name]);
}

const WITH_BODY = (Object.keys(portalEndpoints) as PortalEndpointName[]).filter(
  (name) => (portalEndpoints[name] as PortalEndpoint).body !== undefined,
);

async function digest() {
  const db = server.store.db;
  const [teams, members, apps, invites, customers] = await Promise.all([
    db.selectFrom('teams').select(['id', 'name']).orderBy('id').execute(),
    db
      .selectFrom('customer_user_teams')
      .select(['team_id', 'customer_user_id', 'role'])
      .orderBy('id')
      .execute(),
    db
      .selectFrom('applications')
      .select([
        'id',
        'name',
        'api_secret',
        'is_active',
        'allowed_origins',
        'allow_registration',
        'channel_permissions',
      ])
      .where('team_id', 'is not', null)
      .orderBy('id')
      .execute(),
    db.selectFrom('team_invites').select(['id', 'accepted_at', 'revoked_at']).orderBy('id').execute(),
    db
      .selectFrom('customer_users')
      .select(['id', 'email', 'password_hash', 'display_name'])
      .orderBy('id')
      .execute(),
  ]);
  return JSON.stringify({ teams, members, apps, invites, customers });
}

describe('hostile input on the portal API', () => {
  it('is refused in the one error shape, never a 5xx, changing nothing', async () => {
    expect(WITH_BODY.length).toBeGreaterThanOrEqual(16);
    // Every endpoint with a body has a valid one here to start from.
    for (const name of WITH_BODY) expect(validBody(name), name).toBeDefined();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...WITH_BODY),
        fc.oneof(
          fc.record({ kind: fc.constant('field' as const), pick: fc.nat(), value: hostileJson }),
          fc.record({ kind: fc.constant('extra' as const), key: extraKey, value: hostileJson }),
        ),
        async (name, mutation) => {
          const endpoint: PortalEndpoint = portalEndpoints[name];
          const body = validBody(name) as Record<string, unknown>;
          if (mutation.kind === 'field') {
            const keys = Object.keys(body);
            const key = keys[mutation.pick % keys.length]!;
            body[key] = materialize(mutation.value as ValueRecipe, body[key], key);
          } else {
            Object.defineProperty(body, mutation.key, {
              value: materialize(mutation.value as ValueRecipe),
              enumerable: true,
            });
          }
          const path = endpoint.path
            .replace('{teamId}', teamId)
            .replace('{appId}', appId)
            .replace('{customerId}', viewerId);
          const valid = endpoint.body!.safeParse(body).success;
          const before = valid ? '' : await digest();
          const caller = endpoint.auth === 'customer' ? owner.api : new Portal(server.url);
          const reply = await caller.request(endpoint.method, path, JSON.stringify(body), {
            'content-type': 'application/json',
          });
          expect(reply.status, `${name}: ${JSON.stringify(reply.body)?.slice(0, 300)}`).toBeLessThan(500);
          if (valid) return;
          expect([400, 413]).toContain(reply.status);
          expect(reply.body.error.code).toMatch(/^(validation_failed|payload_too_large)$/);
          expect(await digest()).toBe(before);
        },
      ),
      { numRuns: 120, seed: Number(process.env.CHAT_HOSTILE_SEED ?? Date.now() % 2 ** 31) },
    );
  }, 120_000);
});
