import { randomBytes } from 'node:crypto';
import { hashPassword } from '../domain/auth/index';
import { createChannel } from '../domain/channels/channels';
import type { Publish } from '../events/published-event';
import type { Actor } from '../kernel/actor';
import type { Db } from '../store/schema';

export const DEMO_API_KEY = 'demo';
export const DEMO_PASSWORD = 'chat-demo';
export const DEMO_USERS = ['alice', 'bob', 'carol', 'dave'] as const;

export interface DemoCredentials {
  apiKey: string;
  users: readonly string[];
  password: string;
  channel: string;
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
  return { apiKey: DEMO_API_KEY, users: DEMO_USERS, password: DEMO_PASSWORD, channel: 'team:general' };
}
