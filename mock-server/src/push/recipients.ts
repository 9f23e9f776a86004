import { sql } from 'kysely';
import type { AppDb } from '../store/app-scope';
import type { PushProvider } from '../store/schema';

export interface PushDevice {
  id: string;
  provider: PushProvider;
  token: string;
  web_p256dh: string | null;
  web_auth: string | null;
  apns_environment: 'sandbox' | 'production' | null;
}

/**
 * The devices a new message in a channel is pushed to: of its members other than the sender,
 * who have no live socket on any node (`is_online`, which the realtime layer keeps with a grace
 * after the last socket closes, so a phone reconnecting is not buzzed), have not muted the
 * channel, are not banned from it, are not in do-not-disturb, and whose level for the channel
 * lets it through (all; mentions only and they are mentioned; not none); only devices of the
 * providers given (those turned on).
 */
export async function pushDevicesFor(
  db: AppDb,
  message: { channelId: string; senderId: string; mentioned: readonly string[] },
  providers: PushProvider[],
): Promise<PushDevice[]> {
  const { channelId, senderId, mentioned } = message;
  if (providers.length === 0) return [];
  return (
    db
      .selectFrom('channel_members as m')
      .innerJoin('app_users as u', 'u.id', 'm.app_user_id')
      .innerJoin('app_user_devices as d', 'd.app_user_id', 'm.app_user_id')
      .select([
        'd.id',
        'd.platform as provider',
        'd.push_token as token',
        'd.web_p256dh',
        'd.web_auth',
        'd.apns_environment',
      ])
      .where('m.channel_id', '=', channelId)
      .where('u.external_id', '<>', senderId)
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
