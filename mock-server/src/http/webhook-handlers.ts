import type { TargetGuard } from '../outbound/target-guard';
import type { AppDb } from '../store/app-scope';
import type { BeforeSendHookClient } from '../webhooks/before-send';
import { deleteBeforeSendHook, getBeforeSendHook, setBeforeSendHook } from '../webhooks/before-send-config';
import { listDeliveries } from '../webhooks/delivery-log';
import { replayDelivery, replayEvents } from '../webhooks/replay';
import * as endpoints from '../webhooks/webhook-endpoints';
import type { Handlers } from './handlers';

export interface WebhookServices {
  /** The SSRF guard, to refuse at configuration time a URL the worker would refuse. */
  guard: TargetGuard;
  /** Told when an app's hook changes, so this node applies it at once. */
  beforeSend: Pick<BeforeSendHookClient, 'forget'>;
}

type WebhookEndpoints =
  | 'createWebhook'
  | 'listWebhooks'
  | 'getWebhook'
  | 'updateWebhook'
  | 'deleteWebhook'
  | 'rotateWebhookSecret'
  | 'listWebhookDeliveries'
  | 'replayWebhookDelivery'
  | 'replayWebhookEvents'
  | 'getBeforeSendHook'
  | 'setBeforeSendHook'
  | 'deleteBeforeSendHook';

/** The webhook and before-send hook endpoints (server token only: see the protocol's table). */
export function webhookHandlers(db: AppDb, s: WebhookServices): Pick<Handlers, WebhookEndpoints> {
  return {
    createWebhook: ({ app, body }) => endpoints.createWebhook(db, app.id, s.guard, body),
    listWebhooks: async () => ({ webhooks: await endpoints.listWebhooks(db) }),
    getWebhook: async ({ params }) => ({ webhook: await endpoints.getWebhook(db, params.webhookId) }),
    updateWebhook: async ({ params, body }) => ({
      webhook: await endpoints.updateWebhook(db, s.guard, params.webhookId, body),
    }),
    deleteWebhook: async ({ params }) => {
      await endpoints.deleteWebhook(db, params.webhookId);
      return { ok: true as const };
    },
    rotateWebhookSecret: ({ params, body }) => endpoints.rotateWebhookSecret(db, params.webhookId, body),
    listWebhookDeliveries: async ({ params, query }) => ({
      deliveries: await listDeliveries(db, params.webhookId, query),
    }),
    replayWebhookDelivery: async ({ app, params }) => ({
      delivery: await replayDelivery(db, app.id, params.webhookId, params.deliveryId),
    }),
    replayWebhookEvents: ({ app, params, body }) => replayEvents(db, app.id, params.webhookId, body),
    getBeforeSendHook: async () => ({ hook: await getBeforeSendHook(db) }),
    setBeforeSendHook: async ({ app, body }) => {
      const result = await setBeforeSendHook(db, app.id, s.guard, body);
      s.beforeSend.forget(app.id);
      return result;
    },
    deleteBeforeSendHook: async ({ app }) => {
      await deleteBeforeSendHook(db);
      s.beforeSend.forget(app.id);
      return { hook: null };
    },
  };
}
