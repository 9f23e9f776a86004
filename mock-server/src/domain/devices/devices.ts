import { createHash } from 'node:crypto';
import { type Device, LIMITS, type RegisterDeviceBody } from '@chat/protocol';
import { sql } from 'kysely';
import type { Actor } from '../../kernel/actor';
import { forbidden, notFound } from '../../kernel/errors';
import type { AppDb } from '../../store/app-scope';
import type { AppUserDevicesTable } from '../../store/schema';

/**
 * A user's push devices. A token belongs to one user of an app at a time: registering it again
 * (the same phone, now logged in as someone else) moves it to the caller, so the previous user's
 * notifications stop showing on a device they no longer use. A user keeps at most
 * `DEVICES_PER_USER`; one more drops the one registered longest ago.
 */

type DeviceRow = Pick<AppUserDevicesTable, 'platform' | 'push_token' | 'apns_environment' | 'name'> & {
  id: string;
  created_at: Date;
  updated_at: Date;
};

export function toDevice(row: DeviceRow): Device {
  return {
    id: row.id,
    provider: row.platform,
    token: row.push_token,
    environment: row.apns_environment,
    name: row.name,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

const COLUMNS = [
  'id',
  'platform',
  'push_token',
  'apns_environment',
  'name',
  'created_at',
  'updated_at',
] as const;

/** What the table keeps of a registration. */
function columnsOf(body: RegisterDeviceBody) {
  const common = { platform: body.provider, name: body.name ?? null };
  switch (body.provider) {
    case 'fcm':
      return { ...common, push_token: body.token, apns_environment: null, web_p256dh: null, web_auth: null };
    case 'apns':
      return {
        ...common,
        push_token: body.token,
        apns_environment: body.environment,
        web_p256dh: null,
        web_auth: null,
      };
    case 'web':
      return {
        ...common,
        push_token: body.subscription.endpoint,
        apns_environment: null,
        web_p256dh: body.subscription.keys.p256dh,
        web_auth: body.subscription.keys.auth,
      };
  }
}

/** The user whose devices these are: server tokens have none. */
function ownerOf(actor: Actor): string {
  if (!actor.userId) throw forbidden('Push devices belong to a user; server tokens have none');
  return actor.userId;
}

export async function registerDevice(db: AppDb, actor: Actor, body: RegisterDeviceBody): Promise<Device> {
  const userId = ownerOf(actor);
  const appId = actor.appId;
  const columns = columnsOf(body);
  const deviceId = createHash('sha256')
    .update(`${columns.platform}\n${columns.push_token}`)
    .digest('hex')
    .slice(0, 32);
  return db.transaction().execute(async (tx) => {
    // One registration of a user at a time: the count below stays true until the commit.
    await tx.selectFrom('app_users').select('id').where('id', '=', userId).forUpdate().execute();
    // The database's clock, in microseconds: the order of a user's registrations (which one is
    // the oldest) must not hang on two in one millisecond.
    const now = sql<Date>`clock_timestamp()`;
    const row = await tx
      .insertInto('app_user_devices')
      .values({ app_id: appId, app_user_id: userId, device_id: deviceId, ...columns, updated_at: now })
      .onConflict((oc) =>
        oc.columns(['app_id', 'platform', 'push_token']).doUpdateSet({
          app_user_id: userId,
          apns_environment: columns.apns_environment,
          web_p256dh: columns.web_p256dh,
          web_auth: columns.web_auth,
          name: columns.name,
          updated_at: now,
        }),
      )
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    // Beyond the limit: the ones registered (or refreshed) longest ago go.
    await tx
      .deleteFrom('app_user_devices')
      .where('app_user_id', '=', userId)
      .where(
        'id',
        'not in',
        tx
          .selectFrom('app_user_devices')
          .select('id')
          .where('app_user_id', '=', userId)
          .orderBy('updated_at', 'desc')
          .orderBy('id')
          .limit(LIMITS.DEVICES_PER_USER),
      )
      .execute();
    return toDevice(row);
  });
}

/** The user's devices, the most recently registered first. */
export async function listDevices(db: AppDb, actor: Actor): Promise<Device[]> {
  const userId = ownerOf(actor);
  const rows = await db
    .selectFrom('app_user_devices')
    .select(COLUMNS)
    .where('app_user_id', '=', userId)
    .orderBy('updated_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map(toDevice);
}

/** Removes one of the user's devices; another user's is not found. */
export async function deleteDevice(db: AppDb, actor: Actor, deviceId: string): Promise<void> {
  const userId = ownerOf(actor);
  const result = await db
    .deleteFrom('app_user_devices')
    .where('id', '=', deviceId)
    .where('app_user_id', '=', userId)
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) throw notFound('Device');
}
