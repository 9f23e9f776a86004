import { type PushPreferences, parseCid, type SetPushPreferencesBody } from '@chat/protocol';
import type { Actor } from '../../kernel/actor';
import { forbidden, notFound } from '../../kernel/errors';
import type { AppDb } from '../../store/app-scope';

/**
 * Which messages push to a user: a level for all their channels (`all`, `mentions`, `none`),
 * one per channel where they chose (a member's own; `null` goes back to theirs), and
 * do-not-disturb until a time. The push worker reads them when it picks recipients.
 */

function userOf(actor: Actor): string {
  if (!actor.userId) throw forbidden('Push preferences belong to a user; server tokens have none');
  return actor.userId;
}

export async function getPushPreferences(db: AppDb, actor: Actor): Promise<PushPreferences> {
  const userId = userOf(actor);
  const user = await db
    .selectFrom('app_users')
    .select(['push_level', 'push_dnd_until'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  const channels = await db
    .selectFrom('channel_members as m')
    .innerJoin('channels as c', 'c.id', 'm.channel_id')
    .select(['c.type', 'c.external_id', 'm.push_level'])
    .where('m.app_user_id', '=', userId)
    .where('m.push_level', 'is not', null)
    .where('c.deleted_at', 'is', null)
    .orderBy('c.type')
    .orderBy('c.external_id')
    .execute();
  return {
    level: user.push_level,
    dnd_until: user.push_dnd_until ? new Date(user.push_dnd_until).toISOString() : null,
    channels: channels.map((c) => ({ cid: `${c.type}:${c.external_id}`, level: c.push_level! })),
  };
}

/** Changes what is given, in one transaction: a channel the user is not a member of changes nothing. */
export async function setPushPreferences(
  db: AppDb,
  actor: Actor,
  body: SetPushPreferencesBody,
): Promise<PushPreferences> {
  const userId = userOf(actor);
  await db.transaction().execute(async (tx) => {
    if (body.level !== undefined || body.dnd_until !== undefined)
      await tx
        .updateTable('app_users')
        .set({
          ...(body.level !== undefined && { push_level: body.level }),
          ...(body.dnd_until !== undefined && { push_dnd_until: body.dnd_until }),
        })
        .where('id', '=', userId)
        .execute();
    for (const { cid, level } of body.channels ?? []) {
      const { type, id } = parseCid(cid);
      const member = await tx
        .selectFrom('channel_members as m')
        .innerJoin('channels as c', 'c.id', 'm.channel_id')
        .select('m.channel_id')
        .where('m.app_user_id', '=', userId)
        .where('c.type', '=', type)
        .where('c.external_id', '=', id)
        .where('c.deleted_at', 'is', null)
        .executeTakeFirst();
      // Not a member (or no such channel, or another app's): as if it did not exist.
      if (!member) throw notFound('Channel');
      await tx
        .updateTable('channel_members')
        .set({ push_level: level })
        .where('channel_id', '=', member.channel_id)
        .where('app_user_id', '=', userId)
        .execute();
    }
  });
  return getPushPreferences(db, actor);
}
