import type { Actor } from '../../kernel/actor';
import { ChatError, forbidden, notFound } from '../../kernel/errors';
import type { AppDb } from '../../store/app-scope';

/**
 * What a user's relations to other users (a mute, a block) have in common: they belong to a user
 * (a server token has none), name another user of the app by their id, never oneself.
 */

/** The acting user's id; `forbidden` for a server token (`what`: "Mutes", "Blocks"). */
export function relatingUser(actor: Actor, what: string): string {
  if (!actor.userId) throw forbidden(`${what} belong to a user; server tokens have none`);
  return actor.userId;
}

/** The other user, as a ref can be made of: `not_found` if unknown, 400 if it is `userId`. */
export async function otherUser(db: AppDb, userId: string, externalId: string, verb: string) {
  const target = await db
    .selectFrom('app_users')
    .select(['id', 'external_id', 'display_name', 'image', 'is_online', 'last_active_at'])
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  if (!target) throw notFound('User');
  if (target.id === userId) {
    const message = `You cannot ${verb} yourself`;
    throw new ChatError('validation_failed', message, { issues: [{ path: ['userId'], message }] });
  }
  return target;
}

export const iso = (at: Date | string) => new Date(at).toISOString();
