import { randomBytes } from 'node:crypto';
import { createCustomerOperation } from '../admin/admin-operations';
import { hashPassword } from '../domain/auth/index';
import { createChannel } from '../domain/channels/channels';
import type { Publish } from '../events/published-event';
import type { Actor } from '../kernel/actor';
import type { Db } from '../store/schema';

export const DEMO_API_KEY = 'demo';
export const DEMO_PASSWORD = 'chat-demo';
export const DEMO_USERS = ['alice', 'bob', 'carol', 'dave'] as const;
/** The demo's portal account (a customer: owner of the team the demo application belongs to). */
export const DEMO_CUSTOMER = { email: 'demo@chat.local', password: 'chat-demo-portal' } as const;

export interface DemoCredentials {
  apiKey: string;
  users: readonly string[];
  password: string;
  channel: string;
  /** The portal account that owns the demo application's team. */
  customer: { email: string; password: string };
}

/**
 * Seeds, idempotently, the `demo` application a newcomer logs into: four users with one
 * password (alice is the app's admin) and a `team:general` channel holding them all. Never runs in production.
 */
export async function seedDemo(deps: { db: Db; publish: Publish }): Promise<DemoCredentials> {
  const { db } = deps;
  await db
    .insertInto('applications')
    .values({
      name: 'Demo',
      api_key: DEMO_API_KEY,
      // Random per data dir: demo tokens are minted by the server's own password login.
      api_secret: randomBytes(32).toString('base64url'),
      allow_registration: true,
    })
    .onConflict((oc) => oc.column('api_key').doNothing())
    .execute();
  const app = await db
    .selectFrom('applications')
    .selectAll()
    .where('api_key', '=', DEMO_API_KEY)
    .executeTakeFirstOrThrow();

  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const id of DEMO_USERS) {
    await db
      .insertInto('app_users')
      .values({
        app_id: app.id,
        external_id: id,
        username: id,
        display_name: id[0]!.toUpperCase() + id.slice(1),
        password_hash: passwordHash,
        custom: '{}',
      })
      .onConflict((oc) => oc.columns(['app_id', 'external_id']).doNothing())
      .execute();
  }
  // Alice administers the demo app (the example's review queue), also in a
  // data dir seeded before she did.
  await db
    .updateTable('app_users')
    .set({ user_type: 'admin' })
    .where('app_id', '=', app.id)
    .where('external_id', '=', 'alice')
    .execute();
  const server: Actor = { appId: app.id, userId: null, externalId: null, role: 'admin', server: true };
  await createChannel({ db, publish: deps.publish }, server, {
    type: 'team',
    id: 'general',
    name: 'General',
    members: [...DEMO_USERS],
    created_by_id: 'alice',
  });
  await attachToDemoTeam(db, app.id);
  return {
    apiKey: DEMO_API_KEY,
    users: DEMO_USERS,
    password: DEMO_PASSWORD,
    channel: 'team:general',
    customer: { ...DEMO_CUSTOMER },
  };
}

/**
 * The demo application belongs to a team in the portal, owned by the demo customer, made the way
 * `chat-server create-customer` makes one (also for a data dir seeded before the portal existed).
 */
async function attachToDemoTeam(db: Db, appId: string): Promise<void> {
  const app = await db
    .selectFrom('applications')
    .select('team_id')
    .where('id', '=', appId)
    .executeTakeFirstOrThrow();
  if (app.team_id !== null) return;
  const existing = await db
    .selectFrom('customer_users')
    .select('id')
    .where('email', '=', DEMO_CUSTOMER.email)
    .executeTakeFirst();
  const teamId = existing
    ? (
        await db
          .selectFrom('customer_user_teams')
          .select('team_id')
          .where('customer_user_id', '=', existing.id)
          .where('role', '=', 'owner')
          .executeTakeFirstOrThrow()
      ).team_id
    : (
        await createCustomerOperation.run(
          { db, maxTokenLifetimeSeconds: 0 },
          {
            email: DEMO_CUSTOMER.email,
            password: DEMO_CUSTOMER.password,
            display_name: 'Demo',
            team: 'Demo',
          },
        )
      ).team_id;
  await db.updateTable('applications').set({ team_id: teamId }).where('id', '=', appId).execute();
}
