import { LIMITS, type QueryUsersQuery, type UpdateSelfBody, type User, type UserInput } from '@chat/protocol';
import { sql } from 'kysely';
import { recordAppEvent } from '../../events/app-events';
import type { Actor } from '../../kernel/actor';
import { ChatError, forbidden, notFound } from '../../kernel/errors';
import type { AppDb } from '../../store/app-scope';
import type { AppUserRow } from '../../store/schema';
import { toUser } from '../views';

/** Finds users of an app by their external ids; unknown ids are a validation error naming them. */
export async function requireUsers(db: AppDb, externalIds: string[], path: string): Promise<AppUserRow[]> {
  const unique = [...new Set(externalIds)];
  if (unique.length === 0) return [];
  const rows = await db.selectFrom('app_users').selectAll().where('external_id', 'in', unique).execute();
  if (rows.length !== unique.length) {
    const found = new Set(rows.map((r) => r.external_id));
    const missing = unique.filter((id) => !found.has(id));
    throw new ChatError('validation_failed', `Unknown users: ${missing.join(', ')}`, {
      issues: [{ path: [path], message: `Unknown users: ${missing.join(', ')}` }],
    });
  }
  return rows;
}

/**
 * The user a verified token speaks for. A token signed with the app's secret is the customer
 * backend vouching for the user, so a user seen for the first time is created.
 */
export async function ensureUser(db: AppDb, appId: string, externalId: string): Promise<AppUserRow> {
  const existing = await db
    .selectFrom('app_users')
    .selectAll()
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  if (existing) return existing;
  await db
    .insertInto('app_users')
    .values({ app_id: appId, external_id: externalId, custom: '{}' })
    .onConflict((oc) => oc.columns(['app_id', 'external_id']).doNothing())
    .execute();
  return db
    .selectFrom('app_users')
    .selectAll()
    .where('external_id', '=', externalId)
    .executeTakeFirstOrThrow();
}

export async function getUser(db: AppDb, externalId: string): Promise<User> {
  const row = await db
    .selectFrom('app_users')
    .selectAll()
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  if (!row) throw notFound('User');
  return toUser(row);
}

export async function getSelf(db: AppDb, actor: Actor): Promise<User> {
  if (!actor.userId) throw forbidden('A server token has no user of its own');
  const row = await db
    .selectFrom('app_users')
    .selectAll()
    .where('id', '=', actor.userId)
    .executeTakeFirstOrThrow();
  return toUser(row);
}

export async function queryUsers(db: AppDb, query: QueryUsersQuery): Promise<User[]> {
  if (!query.ids && !query.q) {
    throw new ChatError('validation_failed', 'Give ids or q', {
      issues: [{ path: ['ids'], message: 'Give ids or q' }],
    });
  }
  let q = db.selectFrom('app_users').selectAll();
  if (query.ids) q = q.where('external_id', 'in', query.ids.length ? query.ids : ['']);
  if (query.q) {
    const prefix = `${escapeLike(query.q.toLowerCase())}%`;
    q = q.where((eb) =>
      eb.or([eb(sql`lower(external_id)`, 'like', prefix), eb(sql`lower(display_name)`, 'like', prefix)]),
    );
  }
  const rows = await q
    .orderBy('external_id')
    .limit(query.limit ?? LIMITS.PAGE_SIZE_DEFAULT)
    .execute();
  return rows.map(toUser);
}

export async function updateSelf(db: AppDb, actor: Actor, body: UpdateSelfBody): Promise<User> {
  if (!actor.userId) throw forbidden('A server token has no user of its own');
  const userId = actor.userId;
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('app_users')
      .set({
        ...(body.name !== undefined && { display_name: body.name }),
        ...(body.image !== undefined && { image: body.image }),
        ...(body.custom !== undefined && { custom: JSON.stringify(body.custom) }),
        updated_at: new Date(),
      })
      .where('id', '=', userId)
      .returningAll()
      .executeTakeFirstOrThrow();
    const user = toUser(row);
    await recordAppEvent(tx, actor.appId, { type: 'user.updated', created_at: user.updated_at, user });
    return user;
  });
}

/**
 * Server-side: create or update users by external id, in one transaction with their
 * `user.created` / `user.updated` events (for webhooks).
 */
export async function upsertUsers(db: AppDb, actor: Actor, users: UserInput[]): Promise<User[]> {
  if (!actor.server) throw forbidden('Only server-side calls may upsert users');
  return db.transaction().execute((tx) => upsertUsersIn(tx, actor, users));
}

async function upsertUsersIn(db: AppDb, actor: Actor, users: UserInput[]): Promise<User[]> {
  const out: User[] = [];
  for (const u of users) {
    const row = await db
      .insertInto('app_users')
      .values({
        app_id: actor.appId,
        external_id: u.id,
        display_name: u.name ?? null,
        image: u.image ?? null,
        user_type: u.role ?? 'user',
        custom: JSON.stringify(u.custom ?? {}),
      })
      .onConflict((oc) =>
        oc.columns(['app_id', 'external_id']).doUpdateSet({
          ...(u.name !== undefined && { display_name: u.name }),
          ...(u.image !== undefined && { image: u.image }),
          ...(u.role !== undefined && { user_type: u.role }),
          ...(u.custom !== undefined && { custom: JSON.stringify(u.custom) }),
          updated_at: new Date(),
        }),
      )
      .returningAll()
      // A row the statement inserted has no deleting transaction yet.
      .returning(sql<boolean>`xmax = 0`.as('inserted'))
      .executeTakeFirstOrThrow();
    const { inserted, ...fields } = row;
    const user = toUser(fields);
    await recordAppEvent(db, actor.appId, {
      type: inserted ? 'user.created' : 'user.updated',
      created_at: user.updated_at,
      user,
    });
    out.push(user);
  }
  return out;
}

export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
