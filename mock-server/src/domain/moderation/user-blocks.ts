import { type BlockedUser, MODERATION_LIMITS } from '@chat/protocol';
import { sql } from 'kysely';
import type { Publish } from '../../events/published-event';
import type { Actor } from '../../kernel/actor';
import { ChatError, notFound } from '../../kernel/errors';
import type { AppDb } from '../../store/app-scope';
import { iso, otherUser, relatingUser } from '../users/user-relations';
import { toUserRef } from '../views';

/**
 * A user blocking another. The blocked user's messages are hidden from the blocker
 * wherever the blocker reads (message-visibility.ts for queries, realtime/fanout.ts live, replays),
 * no notification or push comes from them, and no direct message (a `messaging` channel of the
 * two of them alone) goes either way. The blocked user is not told. Idempotent both ways.
 *
 * Both users' `app_users.block_count` counts the blocks they take part in: a hint that lets an
 * authentication and a send skip looking for blocks when it is 0.
 */

const userOf = (actor: Actor) => relatingUser(actor, 'Blocks');

export async function listBlockedUsers(db: AppDb, actor: Actor): Promise<BlockedUser[]> {
  const rows = await db
    .selectFrom('user_blocks as b')
    .innerJoin('app_users as u', 'u.id', 'b.blocked_user_id')
    .select(['u.external_id', 'u.display_name', 'u.image', 'u.is_online', 'u.last_active_at', 'b.created_at'])
    .where('b.app_user_id', '=', userOf(actor))
    .orderBy('b.created_at', 'desc')
    .orderBy('u.external_id')
    .execute();
  return rows.map((row) => ({ user: toUserRef(row), created_at: iso(row.created_at) }));
}

export async function blockUser(
  db: AppDb,
  publish: Publish,
  actor: Actor,
  externalId: string,
): Promise<BlockedUser> {
  const userId = userOf(actor);
  const target = await otherUser(db, userId, externalId, 'block');
  const { row, created } = await db.transaction().execute(async (tx) => {
    // Serializes one user's blocks, so concurrent ones cannot pass the limit together.
    await tx.selectFrom('app_users').select('id').where('id', '=', userId).forUpdate().execute();
    const existing = await tx
      .selectFrom('user_blocks')
      .select('created_at')
      .where('app_user_id', '=', userId)
      .where('blocked_user_id', '=', target.id)
      .executeTakeFirst();
    if (existing) return { row: existing, created: false };
    const { count } = await tx
      .selectFrom('user_blocks')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('app_user_id', '=', userId)
      .executeTakeFirstOrThrow();
    if (Number(count) >= MODERATION_LIMITS.BLOCKED_USERS_MAX)
      throw new ChatError(
        'conflict',
        `At most ${MODERATION_LIMITS.BLOCKED_USERS_MAX} blocked users; unblock one first`,
      );
    const inserted = await tx
      .insertInto('user_blocks')
      .values({ app_id: actor.appId, app_user_id: userId, blocked_user_id: target.id })
      .returning('created_at')
      .executeTakeFirstOrThrow();
    await tx
      .updateTable('app_users')
      .set({ block_count: sql`block_count + 1` })
      .where('id', 'in', [userId, target.id])
      .execute();
    return { row: inserted, created: true };
  });
  const block = { user: toUserRef(target), created_at: iso(row.created_at) };
  // The blocker's sockets on every node start hiding the user (realtime/fanout.ts), and the
  // blocker's other devices learn of it. Nothing goes to the blocked user.
  if (created)
    publish({
      appId: actor.appId,
      channelId: null,
      userIds: [userId],
      event: { type: 'user.blocked', user: block.user, created_at: new Date().toISOString() },
    });
  return block;
}

export async function unblockUser(
  db: AppDb,
  publish: Publish,
  actor: Actor,
  externalId: string,
): Promise<void> {
  const userId = userOf(actor);
  const target = await db
    .selectFrom('app_users')
    .select(['id', 'external_id', 'display_name', 'image', 'is_online', 'last_active_at'])
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  if (!target) throw notFound('User');
  const removed = await db.transaction().execute(async (tx) => {
    const gone = await tx
      .deleteFrom('user_blocks')
      .where('app_user_id', '=', userId)
      .where('blocked_user_id', '=', target.id)
      .returning('blocked_user_id')
      .executeTakeFirst();
    if (!gone) return false;
    await tx
      .updateTable('app_users')
      .set({ block_count: sql`greatest(block_count - 1, 0)` })
      .where('id', 'in', [userId, target.id])
      .execute();
    return true;
  });
  if (removed)
    publish({
      appId: actor.appId,
      channelId: null,
      userIds: [userId],
      event: { type: 'user.unblocked', user: toUserRef(target), created_at: new Date().toISOString() },
    });
}

/** The external ids of the users `userId` blocked (a socket keeps them to filter what it is sent). */
export async function blockedExternalIds(db: AppDb, userId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('user_blocks as b')
    .innerJoin('app_users as u', 'u.id', 'b.blocked_user_id')
    .select('u.external_id')
    .where('b.app_user_id', '=', userId)
    .execute();
  return new Set(rows.map((r) => r.external_id));
}

const blockedError = () =>
  new ChatError('user_blocked', 'You cannot message this user: one of you blocked the other');

/** Refuses a direct conversation (exactly two users) between users of whom one blocked the other. */
export async function requireNoBlockBetween(db: AppDb, userIds: readonly string[]): Promise<void> {
  const unique = [...new Set(userIds)];
  if (unique.length !== 2) return;
  const [a, b] = unique as [string, string];
  const found = await db
    .selectFrom('user_blocks')
    .select('app_user_id')
    .where((eb) =>
      eb.or([
        eb.and([eb('app_user_id', '=', a), eb('blocked_user_id', '=', b)]),
        eb.and([eb('app_user_id', '=', b), eb('blocked_user_id', '=', a)]),
      ]),
    )
    .executeTakeFirst();
  if (found) throw blockedError();
}

/**
 * Refuses a send into a direct conversation (a `messaging` channel of exactly two members) when
 * one of them blocked the other. The caller asks only when the sender takes part in some block
 * (`block_count > 0`), so a send costs nothing more otherwise. One statement.
 */
export async function requireNoBlockInDirect(db: AppDb, channelId: string, senderId: string): Promise<void> {
  const found = await db
    .selectFrom('channel_members as other')
    .innerJoin('user_blocks as b', (join) =>
      join.on((eb) =>
        eb.or([
          eb.and([
            eb('b.app_user_id', '=', senderId),
            eb('b.blocked_user_id', '=', eb.ref('other.app_user_id')),
          ]),
          eb.and([
            eb('b.app_user_id', '=', eb.ref('other.app_user_id')),
            eb('b.blocked_user_id', '=', senderId),
          ]),
        ]),
      ),
    )
    .select('other.app_user_id')
    .where('other.channel_id', '=', channelId)
    .where('other.app_user_id', '<>', senderId)
    .where((eb) =>
      eb(
        eb
          .selectFrom('channel_members as all')
          .select((s) => s.fn.countAll().as('n'))
          .where('all.channel_id', '=', channelId),
        '=',
        2,
      ),
    )
    .executeTakeFirst();
  if (found) throw blockedError();
}
