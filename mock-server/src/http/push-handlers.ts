import { setApnsPush } from '../push/apns-config';
import { setFcmPush } from '../push/fcm-config';
import { deleteProvider, type SecretBoxOrReason } from '../push/provider-settings';
import { getPushSettings, getPushStats, setPushSettings } from '../push/push-settings';
import { setWebPush, webPushPublicKey } from '../push/web-push-config';
import type { AppDb } from '../store/app-scope';
import type { Handlers } from './handlers';

export interface PushServices {
  /** Seals push credentials at rest, or says why it cannot (no server key). */
  secrets: SecretBoxOrReason;
}

/** Push configuration: the server token sets it, any user reads what a client needs. */
export function pushHandlers(
  db: AppDb,
  s: PushServices,
): Pick<
  Handlers,
  | 'getPushConfig'
  | 'getPushSettings'
  | 'setPushSettings'
  | 'getPushStats'
  | 'setWebPush'
  | 'deleteWebPush'
  | 'setFcmPush'
  | 'deleteFcmPush'
  | 'setApnsPush'
  | 'deleteApnsPush'
> {
  return {
    getPushConfig: async () => {
      const key = await webPushPublicKey(db);
      return { web: key ? { vapid_public_key: key } : null };
    },
    getPushSettings: async () => ({ settings: await getPushSettings(db) }),
    setPushSettings: async ({ app, body }) => ({ settings: await setPushSettings(db, app.id, body) }),
    getPushStats: ({ query }) => getPushStats(db, query.days),
    setWebPush: async ({ app, body }) => ({ web: await setWebPush(db, app.id, s.secrets, body) }),
    deleteWebPush: async () => {
      await deleteProvider(db, 'web');
      return { ok: true as const };
    },
    setFcmPush: async ({ app, body }) => ({ fcm: await setFcmPush(db, app.id, s.secrets, body) }),
    deleteFcmPush: async () => {
      await deleteProvider(db, 'fcm');
      return { ok: true as const };
    },
    setApnsPush: async ({ app, body }) => ({ apns: await setApnsPush(db, app.id, s.secrets, body) }),
    deleteApnsPush: async () => {
      await deleteProvider(db, 'apns');
      return { ok: true as const };
    },
  };
}
