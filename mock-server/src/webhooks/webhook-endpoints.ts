import {
  type CreateWebhookBody,
  LIMITS,
  type RotateWebhookSecretBody,
  type UpdateWebhookBody,
  type Webhook,
  type WebhookEventType,
} from '@chat/protocol';
import { recordAppEvent } from '../events/app-events';
import { ChatError, notFound } from '../kernel/errors';
import { type TargetGuard, TargetRefused } from '../outbound/target-guard';
import type { AppDb } from '../store/app-scope';
import { afterRotation, newSecret } from './secrets';

/**
 * An application's webhook endpoints, managed by its backend (server token). The table also
 * holds the before-send hook (`type = 'before_send'`), which these functions never touch.
 */

const SECRET_GRACE_SECONDS_DEFAULT = 24 * 3600;

type WebhookRow = {
  id: string;
  name: string;
  url: string;
  events: string[];
  is_active: boolean;
  disabled_reason: string | null;
  created_at: Date;
  updated_at: Date;
};

const COLUMNS = [
  'id',
  'name',
  'url',
  'events',
  'is_active',
  'disabled_reason',
  'created_at',
  'updated_at',
] as const;

export function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    events: row.events as WebhookEventType[],
    enabled: row.is_active,
    disabled_reason: row.disabled_reason,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

/** Refuses, as a validation error on `url`, a target the guard would refuse at delivery. */
export function requireReachable(guard: TargetGuard, url: string, field = 'url'): void {
  try {
    guard.checkUrl(url);
  } catch (error) {
    if (!(error instanceof TargetRefused)) throw error;
    throw new ChatError('validation_failed', `The URL is not one webhooks may reach: ${error.message}`, {
      issues: [{ path: [field], message: error.message }],
      location: 'body',
    });
  }
}

export async function createWebhook(
  db: AppDb,
  appId: string,
  guard: TargetGuard,
  body: CreateWebhookBody,
): Promise<{ webhook: Webhook; secret: string }> {
  requireReachable(guard, body.url);
  const secret = body.secret ?? newSecret();
  return db.transaction().execute(async (tx) => {
    // Counted under a lock on the application's row, so concurrent creates take turns (locking
    // the endpoints themselves would lock nothing while there are none).
    await tx.selectFrom('applications').select('id').where('id', '=', appId).forUpdate().execute();
    const existing = await tx.selectFrom('webhooks').select('id').where('type', '=', 'event').execute();
    if (existing.length >= LIMITS.WEBHOOKS_PER_APP)
      throw new ChatError(
        'conflict',
        `An application has at most ${LIMITS.WEBHOOKS_PER_APP} webhook endpoints`,
      );
    const row = await tx
      .insertInto('webhooks')
      .values({
        app_id: appId,
        name: body.name,
        url: body.url,
        type: 'event',
        secret,
        events: body.events ?? [],
        is_active: body.enabled ?? true,
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return { webhook: toWebhook(row), secret };
  });
}

export async function listWebhooks(db: AppDb): Promise<Webhook[]> {
  const rows = await db
    .selectFrom('webhooks')
    .select(COLUMNS)
    .where('type', '=', 'event')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toWebhook);
}

export async function getWebhook(db: AppDb, id: string): Promise<Webhook> {
  return toWebhook(await findWebhook(db, id));
}

async function findWebhook(db: AppDb, id: string): Promise<WebhookRow> {
  const row = await db
    .selectFrom('webhooks')
    .select(COLUMNS)
    .where('id', '=', id)
    .where('type', '=', 'event')
    .executeTakeFirst();
  if (!row) throw notFound('Webhook');
  return row;
}

export async function updateWebhook(
  db: AppDb,
  guard: TargetGuard,
  id: string,
  body: UpdateWebhookBody,
): Promise<Webhook> {
  if (body.url !== undefined) requireReachable(guard, body.url);
  const row = await db
    .updateTable('webhooks')
    .set({
      ...(body.name !== undefined && { name: body.name }),
      ...(body.url !== undefined && { url: body.url }),
      ...(body.events !== undefined && { events: body.events }),
      ...(body.enabled !== undefined && { is_active: body.enabled, disabled_reason: null }),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .where('type', '=', 'event')
    .returning(COLUMNS)
    .executeTakeFirst();
  if (!row) throw notFound('Webhook');
  return toWebhook(row);
}

/** Removes the endpoint and its delivery log; its queued deliveries are dropped when their turn comes. */
export async function deleteWebhook(db: AppDb, id: string): Promise<void> {
  const deleted = await db
    .deleteFrom('webhooks')
    .where('id', '=', id)
    .where('type', '=', 'event')
    .returning('id')
    .executeTakeFirst();
  if (!deleted) throw notFound('Webhook');
}

/**
 * A new signing secret. The old one keeps signing beside it for `previous_secret_ttl_s` (a day
 * by default), so receivers can switch without refusing a request.
 */
export async function rotateWebhookSecret(
  db: AppDb,
  id: string,
  body: RotateWebhookSecretBody,
): Promise<{ webhook: Webhook; secret: string }> {
  const secret = body.secret ?? newSecret();
  return db.transaction().execute(async (tx) => {
    const current = await tx
      .selectFrom('webhooks')
      .select(['secret', 'previous_secrets'])
      .where('id', '=', id)
      .where('type', '=', 'event')
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw notFound('Webhook');
    const previous = current.secret
      ? afterRotation(
          current.secret,
          current.previous_secrets,
          body.previous_secret_ttl_s ?? SECRET_GRACE_SECONDS_DEFAULT,
        )
      : current.previous_secrets;
    const row = await tx
      .updateTable('webhooks')
      .set({ secret, previous_secrets: JSON.stringify(previous), updated_at: new Date() })
      .where('id', '=', id)
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return { webhook: toWebhook(row), secret };
  });
}

/**
 * Disabled by the server (410 Gone, every retry failed): recorded with the reason and announced
 * as a `webhook.disabled` event, in one transaction. Nothing happens if it is already disabled.
 */
export async function disableWebhook(db: AppDb, appId: string, id: string, reason: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('webhooks')
      .set({ is_active: false, disabled_reason: reason, updated_at: new Date() })
      .where('id', '=', id)
      .where('is_active', '=', true)
      .returning(['id', 'name', 'url'])
      .executeTakeFirst();
    if (!row) return false;
    await recordAppEvent(tx, appId, {
      type: 'webhook.disabled',
      created_at: new Date().toISOString(),
      webhook: { id: row.id, name: row.name, url: row.url },
      reason,
    });
    return true;
  });
}
