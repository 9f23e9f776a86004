import type { SetWebPushBody } from '@chat/protocol';
import { generateVAPIDKeys } from 'web-push';
import { ChatError } from '../kernel/errors';
import type { AppDb } from '../store/app-scope';
import type { SecretBox } from './sealed-secret';

/**
 * An application's Web Push settings: the VAPID key pair (the private key sealed at rest) and
 * the subject push services may contact. Without a pair given, one is made.
 */
export interface WebPushSettings {
  subject: string;
  vapid_public_key: string;
  updated_at: string;
}

/** Answers the error to show when the server has no key to seal secrets with. */
export type SecretBoxOrReason = SecretBox | { unavailable: string };

function requireBox(box: SecretBoxOrReason): SecretBox {
  if ('unavailable' in box) throw new ChatError('unavailable', box.unavailable);
  return box;
}

export async function setWebPush(
  db: AppDb,
  appId: string,
  box: SecretBoxOrReason,
  body: SetWebPushBody,
): Promise<WebPushSettings> {
  const sealer = requireBox(box);
  const keys =
    body.vapid_public_key && body.vapid_private_key
      ? { publicKey: body.vapid_public_key, privateKey: body.vapid_private_key }
      : generateVAPIDKeys();
  const now = new Date();
  const settings = { subject: body.subject, vapid_public_key: keys.publicKey };
  await db
    .insertInto('push_providers')
    .values({
      app_id: appId,
      provider: 'web',
      settings: JSON.stringify(settings),
      sealed_secret: sealer.seal(keys.privateKey),
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['app_id', 'provider']).doUpdateSet({
        settings: JSON.stringify(settings),
        sealed_secret: sealer.seal(keys.privateKey),
        updated_at: now,
      }),
    )
    .execute();
  return { ...settings, updated_at: now.toISOString() };
}

export async function deleteWebPush(db: AppDb): Promise<void> {
  await db.deleteFrom('push_providers').where('provider', '=', 'web').execute();
}

/** The public half, for clients: null when Web Push is off. */
export async function webPushPublicKey(db: AppDb): Promise<string | null> {
  const row = await db
    .selectFrom('push_providers')
    .select('settings')
    .where('provider', '=', 'web')
    .executeTakeFirst();
  return row ? (parseSettings(row.settings).vapid_public_key ?? null) : null;
}

/** Everything needed to send, the private key opened: null when Web Push is off. */
export async function webPushKeys(
  db: AppDb,
  box: SecretBoxOrReason,
): Promise<{ subject: string; publicKey: string; privateKey: string } | null> {
  const row = await db
    .selectFrom('push_providers')
    .select(['settings', 'sealed_secret'])
    .where('provider', '=', 'web')
    .executeTakeFirst();
  if (!row) return null;
  const settings = parseSettings(row.settings);
  return {
    subject: settings.subject ?? '',
    publicKey: settings.vapid_public_key ?? '',
    privateKey: requireBox(box).open(row.sealed_secret),
  };
}

function parseSettings(value: unknown): Record<string, string> {
  return (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, string>;
}
