import type { BeforeSendHook, SetBeforeSendHookBody } from '@chat/protocol';
import type { TargetGuard } from '../outbound/target-guard';
import type { AppDb } from '../store/app-scope';
import { afterRotation, newSecret } from './secrets';
import { requireReachable } from './webhook-endpoints';

/**
 * An application's before-send hook settings: one row of `webhooks` with `type = 'before_send'`
 * (at most one per app, by a unique index), managed by its backend (server token).
 */

export const HOOK_TIMEOUT_MS_DEFAULT = 1_500;
/** A replaced secret keeps signing beside the new one for a day, as a rotated webhook secret does. */
const SECRET_GRACE_SECONDS = 24 * 3600;

const COLUMNS = ['url', 'timeout_ms', 'fail_open', 'is_active', 'created_at', 'updated_at'] as const;

function toHook(row: {
  url: string;
  timeout_ms: number | null;
  fail_open: boolean | null;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
}): BeforeSendHook {
  return {
    url: row.url,
    timeout_ms: row.timeout_ms ?? HOOK_TIMEOUT_MS_DEFAULT,
    on_failure: row.fail_open === false ? 'reject' : 'allow',
    enabled: row.is_active,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

export async function getBeforeSendHook(db: AppDb): Promise<BeforeSendHook | null> {
  const row = await db
    .selectFrom('webhooks')
    .select(COLUMNS)
    .where('type', '=', 'before_send')
    .executeTakeFirst();
  return row ? toHook(row) : null;
}

/**
 * Sets the hook (creating it, or replacing its settings; what the body leaves out is reset to its
 * default). Answers its secret: the one it had, unless a new one is given.
 */
export async function setBeforeSendHook(
  db: AppDb,
  appId: string,
  guard: TargetGuard,
  body: SetBeforeSendHookBody,
): Promise<{ hook: BeforeSendHook; secret: string }> {
  requireReachable(guard, body.url);
  const settings = {
    url: body.url,
    timeout_ms: body.timeout_ms ?? HOOK_TIMEOUT_MS_DEFAULT,
    fail_open: (body.on_failure ?? 'allow') === 'allow',
    is_active: body.enabled ?? true,
    updated_at: new Date(),
  };
  return db.transaction().execute(async (tx) => {
    // The app's row locks the app's hook: two concurrent sets take turns.
    await tx.selectFrom('applications').select('id').where('id', '=', appId).forUpdate().execute();
    const current = await tx
      .selectFrom('webhooks')
      .select(['id', 'secret', 'previous_secrets'])
      .where('type', '=', 'before_send')
      .executeTakeFirst();
    if (!current) {
      const secret = body.secret ?? newSecret();
      const row = await tx
        .insertInto('webhooks')
        .values({ app_id: appId, name: 'before-send', type: 'before_send', secret, ...settings })
        .returning(COLUMNS)
        .executeTakeFirstOrThrow();
      return { hook: toHook(row), secret };
    }
    const secret = body.secret ?? current.secret ?? newSecret();
    const previous =
      current.secret && secret !== current.secret
        ? afterRotation(current.secret, current.previous_secrets, SECRET_GRACE_SECONDS)
        : current.previous_secrets;
    const row = await tx
      .updateTable('webhooks')
      .set({ ...settings, secret, previous_secrets: JSON.stringify(previous) })
      .where('id', '=', current.id)
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return { hook: toHook(row), secret };
  });
}

export async function deleteBeforeSendHook(db: AppDb): Promise<void> {
  await db.deleteFrom('webhooks').where('type', '=', 'before_send').execute();
}
