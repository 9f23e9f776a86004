import type { SetWebPushBody } from '@chat/protocol';
import webPush from 'web-push';
import type { AppDb } from '../store/app-scope';
import { parseSettings, requireBox, type SecretBoxOrReason, saveProvider } from './provider-settings';

export type { SecretBoxOrReason } from './provider-settings';

/**
 * An application's Web Push settings: the VAPID key pair (the private key sealed at rest) and
 * the subject push services may contact. Without a pair given, one is made.
 */
export interface WebPushSettings {
  subject: string;
  vapid_public_key: string;
  updated_at: string;
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
      : webPush.generateVAPIDKeys();
  const settings = { subject: body.subject, vapid_public_key: keys.publicKey };
  const updated = await saveProvider(db, appId, 'web', settings, sealer.seal(keys.privateKey));
  return { ...settings, updated_at: updated.toISOString() };
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
