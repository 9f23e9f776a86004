import { sql } from 'kysely';
import type { AppDb } from '../store/app-scope';
import type { PushProvider } from '../store/schema';

export interface PushDevice {
  id: string;
  /** Whose device it is (the badge is theirs). */
  app_user_id: string;
  provider: PushProvider;
  token: string;
  web_p256dh: string | null;
  web_auth: string | null;
  apns_environment: 'sandbox' | 'production' | null;
}

const DEVICE_COLUMNS = [
  'd.id',
  'd.app_user_id',
  'd.platform as provider',
  'd.push_token as token',
  'd.web_p256dh',
  'd.web_auth',
  'd.apns_environment',
] as const;

/**
 * The devices a new message in a channel is pushed to: of its members other than the sender,
 * who have no live socket on any node (`is_online`, which the realtime layer keeps with a grace
 * after the last socket closes, so a phone reconnecting is not buzzed), have not muted the
 * channel or the sender, are not banned from it, are not in do-not-disturb, and whose level for
 * the channel lets it through (all; mentions only and they are mentioned; not none); only devices
 * of the providers given (those turned on). A thread reply goes to the thread's participants (who
 * started it or replied in it) and the mentioned only.
 */
export async function pushDevicesFor(
  db: AppDb,
  message: {
    channelId: string;
    senderId: string;
    mentioned: readonly string[];
    parentId?: string | null;
    /** The message's id: a shadowed one pushes nobody. */
    messageId?: string;
  },
  providers: PushProvider[],
): Promise<PushDevice[]> {
  const { channelId, senderId, mentioned, parentId, messageId } = message;
  if (providers.length === 0) return [];
  return (
    db
      .selectFrom('channel_members as m')
      .innerJoin('app_users as u', 'u.id', 'm.app_user_id')
      .innerJoin('app_user_devices as d', 'd.app_user_id', 'm.app_user_id')
      .select(DEVICE_COLUMNS)
      .where('m.channel_id', '=', channelId)
      .where('u.external_id', '<>', senderId)
      // Not muted the sender.
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('user_mutes as um')
              .innerJoin('app_users as sender', 'sender.id', 'um.muted_user_id')
              .select('um.muted_user_id')
              .whereRef('um.app_user_id', '=', 'm.app_user_id')
              .where('sender.external_id', '=', senderId),
          ),
        ),
      )
      // User safety: not blocked the sender.
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('user_blocks as ub')
              .innerJoin('app_users as blocked', 'blocked.id', 'ub.blocked_user_id')
              .select('ub.blocked_user_id')
              .whereRef('ub.app_user_id', '=', 'm.app_user_id')
              .where('blocked.external_id', '=', senderId),
          ),
        ),
      )
      // A shadowed message is seen by its sender alone, so it pushes nobody.
      .$if(messageId !== undefined, (qb) =>
        qb.where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('messages as shadow')
                .select('shadow.id')
                .where('shadow.id', '=', messageId!)
                .where('shadow.shadowed', '=', true),
            ),
          ),
        ),
      )
      // A thread reply: its participants and the mentioned.
      .$if(!!parentId, (qb) =>
        qb.where((eb) =>
          eb.or([
            eb(
              'm.app_user_id',
              'in',
              eb
                .selectFrom('messages as t')
                .select('t.app_user_id')
                .where('t.channel_id', '=', channelId)
                .where((inner) =>
                  inner.or([inner('t.id', '=', parentId!), inner('t.parent_id', '=', parentId!)]),
                ),
            ),
            ...(mentioned.length > 0 ? [eb('u.external_id', 'in', [...mentioned])] : []),
          ]),
        ),
      )
      .where('u.is_online', '=', false)
      .where('m.is_muted', '=', false)
      .where((eb) =>
        eb.or([
          eb('m.is_banned', '=', false),
          eb.and([eb('m.ban_expires_at', 'is not', null), eb('m.ban_expires_at', '<=', sql<Date>`now()`)]),
        ]),
      )
      .where('d.platform', 'in', providers)
      // Not in do-not-disturb.
      .where((eb) =>
        eb.or([eb('u.push_dnd_until', 'is', null), eb('u.push_dnd_until', '<=', sql<Date>`now()`)]),
      )
      // Their level here (the channel's, else theirs): all; or mentions, and mentioned.
      .where((eb) => {
        const level = eb.fn.coalesce('m.push_level', 'u.push_level');
        return eb.or([
          eb(level, '=', 'all'),
          ...(mentioned.length > 0
            ? [eb.and([eb(level, '=', 'mentions'), eb('u.external_id', 'in', [...mentioned])])]
            : []),
        ]);
      })
      .execute()
  );
}

/**
 * The devices of a user that were shown a push about a channel and not cleared since: a read on
 * another device clears those (and only those: nobody is woken for a channel nothing was shown of).
 */
export async function devicesToClear(
  db: AppDb,
  read: { channelId: string; userId: string },
  providers: PushProvider[],
): Promise<PushDevice[]> {
  if (providers.length === 0) return [];
  return db
    .selectFrom('app_user_devices as d')
    .innerJoin('app_users as u', 'u.id', 'd.app_user_id')
    .select(DEVICE_COLUMNS)
    .where('u.external_id', '=', read.userId)
    .where('d.platform', 'in', providers)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('push_sends as s')
          .select('s.device_id')
          .whereRef('s.device_id', '=', 'd.id')
          .where('s.channel_id', '=', read.channelId)
          .where('s.state', '=', 'sent')
          .where('s.cleared_at', 'is', null),
      ),
    )
    .execute();
}

/** Whether a push about the channel to one of the user's devices is still being sent. */
export async function pushInFlight(db: AppDb, read: { channelId: string; userId: string }): Promise<boolean> {
  const row = await db
    .selectFrom('push_sends as s')
    .innerJoin('app_user_devices as d', 'd.id', 's.device_id')
    .innerJoin('app_users as u', 'u.id', 'd.app_user_id')
    .select('s.device_id')
    .where('s.channel_id', '=', read.channelId)
    .where('s.state', '=', 'pending')
    .where('u.external_id', '=', read.userId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
