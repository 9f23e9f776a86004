import { LIMITS, type MutedUser } from '@chat/protocol';
import type { Actor } from '../../kernel/actor';
import { ChatError, notFound } from '../../kernel/errors';
import type { AppDb } from '../../store/app-scope';
import { toUserRef } from '../views';
import { iso, otherUser, relatingUser } from './user-relations';

/**
 * A user muting another: no push comes from them (the push worker reads `user_mutes`); their
 * messages still show, and nothing tells the muted user. Idempotent both ways.
 */

const userOf = (actor: Actor) => relatingUser(actor, 'Mutes');

export async function listMutedUsers(db: AppDb, actor: Actor): Promise<MutedUser[]> {
  const rows = await db
    .selectFrom('user_mutes as m')
    .innerJoin('app_users as u', 'u.id', 'm.muted_user_id')
    .select(['u.external_id', 'u.display_name', 'u.image', 'u.is_online', 'u.last_active_at', 'm.created_at'])
    .where('m.app_user_id', '=', userOf(actor))
    .orderBy('m.created_at', 'desc')
    .orderBy('u.external_id')
    .execute();
  return rows.map((row) => ({ user: toUserRef(row), created_at: iso(row.created_at) }));
}

export async function muteUser(db: AppDb, actor: Actor, externalId: string): Promise<MutedUser> {
  const userId = userOf(actor);
  const target = await otherUser(db, userId, externalId, 'mute');
  const row = await db.transaction().execute(async (tx) => {
    // Serializes one user's mutes, so concurrent ones cannot pass the limit together.
    await tx.selectFrom('app_users').select('id').where('id', '=', userId).forUpdate().execute();
    const existing = await tx
      .selectFrom('user_mutes')
      .select('created_at')
      .where('app_user_id', '=', userId)
      .where('muted_user_id', '=', target.id)
      .executeTakeFirst();
    if (existing) return existing;
    const { count } = await tx
      .selectFrom('user_mutes')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('app_user_id', '=', userId)
      .executeTakeFirstOrThrow();
    if (Number(count) >= LIMITS.MUTED_USERS_MAX)
      throw new ChatError('conflict', `At most ${LIMITS.MUTED_USERS_MAX} muted users; unmute one first`);
    return tx
      .insertInto('user_mutes')
      .values({ app_id: actor.appId, app_user_id: userId, muted_user_id: target.id })
      .returning('created_at')
      .executeTakeFirstOrThrow();
  });
  return { user: toUserRef(target), created_at: iso(row.created_at) };
}

export async function unmuteUser(db: AppDb, actor: Actor, externalId: string): Promise<void> {
  const userId = userOf(actor);
  const target = await db
    .selectFrom('app_users')
    .select('id')
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  if (!target) throw notFound('User');
  await db
    .deleteFrom('user_mutes')
    .where('app_user_id', '=', userId)
    .where('muted_user_id', '=', target.id)
    .execute();
}
