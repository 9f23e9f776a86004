import { createPrivateKey } from 'node:crypto';
import type { SetFcmPushBody } from '@chat/protocol';
import { ChatError } from '../kernel/errors';
import type { AppDb } from '../store/app-scope';
import { requireBox, type SecretBoxOrReason, saveProvider } from './provider-settings';

export const FCM_BASE_URL = 'https://fcm.googleapis.com';
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';

export interface FcmSettings {
  project_id: string;
  client_email: string;
  base_url: string;
  updated_at: string;
}

/** FCM with a Firebase project's service account: its private key sealed at rest. */
export async function setFcmPush(
  db: AppDb,
  appId: string,
  box: SecretBoxOrReason,
  body: SetFcmPushBody,
): Promise<FcmSettings> {
  const sealer = requireBox(box);
  const account = body.service_account;
  try {
    createPrivateKey(account.private_key);
  } catch {
    throw new ChatError('validation_failed', 'The service account’s private key cannot be read', {
      issues: [{ path: ['service_account', 'private_key'], message: 'Not a readable PEM private key' }],
    });
  }
  const settings = {
    project_id: account.project_id,
    client_email: account.client_email,
    base_url: (body.base_url ?? FCM_BASE_URL).replace(/\/+$/, ''),
    token_uri: account.token_uri ?? GOOGLE_TOKEN_URI,
  };
  const secret = JSON.stringify({
    private_key: account.private_key,
    private_key_id: account.private_key_id ?? null,
  });
  const updated = await saveProvider(db, appId, 'fcm', settings, sealer.seal(secret));
  const { token_uri: _, ...shown } = settings;
  return { ...shown, updated_at: updated.toISOString() };
}
