import { createPrivateKey } from 'node:crypto';
import type { SetApnsPushBody } from '@chat/protocol';
import { ChatError } from '../kernel/errors';
import type { AppDb } from '../store/app-scope';
import { requireBox, type SecretBoxOrReason, saveProvider } from './provider-settings';

export const APNS_PRODUCTION_URL = 'https://api.push.apple.com';
export const APNS_SANDBOX_URL = 'https://api.sandbox.push.apple.com';

export interface ApnsSettings {
  key_id: string;
  team_id: string;
  bundle_id: string;
  production_url: string;
  sandbox_url: string;
  updated_at: string;
}

/** APNs with token-based authentication: the team's .p8 key (an ES256 key) sealed at rest. */
export async function setApnsPush(
  db: AppDb,
  appId: string,
  box: SecretBoxOrReason,
  body: SetApnsPushBody,
): Promise<ApnsSettings> {
  const sealer = requireBox(box);
  let usable = false;
  try {
    const key = createPrivateKey(body.key);
    usable = key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  } catch {
    usable = false;
  }
  if (!usable)
    throw new ChatError('validation_failed', 'The APNs key cannot be read', {
      issues: [{ path: ['key'], message: 'Not a readable .p8 key (a P-256 private key in PEM)' }],
    });
  const trim = (url: string) => url.replace(/\/+$/, '');
  const settings = {
    key_id: body.key_id,
    team_id: body.team_id,
    bundle_id: body.bundle_id,
    production_url: trim(body.production_url ?? APNS_PRODUCTION_URL),
    sandbox_url: trim(body.sandbox_url ?? APNS_SANDBOX_URL),
  };
  const updated = await saveProvider(db, appId, 'apns', settings, sealer.seal(body.key));
  return { ...settings, updated_at: updated.toISOString() };
}
