import { ChatError } from '../kernel/errors';
import type { AppDb } from '../store/app-scope';
import type { PushProvider } from '../store/schema';
import type { SecretBox } from './sealed-secret';

/** A secret box, or why there is none (no server key): the error shown when one is needed. */
export type SecretBoxOrReason = SecretBox | { unavailable: string };

export function requireBox(box: SecretBoxOrReason): SecretBox {
  if ('unavailable' in box) throw new ChatError('unavailable', box.unavailable);
  return box;
}

/**
 * One provider's row of `push_providers`: settings that may be shown, and a secret sealed with
 * the server key. Written whole (a new secret replaces the old).
 */
export async function saveProvider(
  db: AppDb,
  appId: string,
  provider: PushProvider,
  settings: Record<string, string>,
  sealedSecret: string,
): Promise<Date> {
  const now = new Date();
  const json = JSON.stringify(settings);
  await db
    .insertInto('push_providers')
    .values({ app_id: appId, provider, settings: json, sealed_secret: sealedSecret, updated_at: now })
    .onConflict((oc) =>
      oc
        .columns(['app_id', 'provider'])
        .doUpdateSet({ settings: json, sealed_secret: sealedSecret, updated_at: now }),
    )
    .execute();
  return now;
}

export async function deleteProvider(db: AppDb, provider: PushProvider): Promise<void> {
  await db.deleteFrom('push_providers').where('provider', '=', provider).execute();
}

/** Every provider the application turned on, its settings parsed and its secret opened. */
export async function loadProviders(
  db: AppDb,
  box: SecretBoxOrReason,
): Promise<Map<PushProvider, { settings: Record<string, string>; secret: string; updatedAt: Date }>> {
  const rows = await db
    .selectFrom('push_providers')
    .select(['provider', 'settings', 'sealed_secret', 'updated_at'])
    .execute();
  return new Map(
    rows.map((row) => [
      row.provider,
      {
        settings: parseSettings(row.settings),
        secret: requireBox(box).open(row.sealed_secret),
        updatedAt: new Date(row.updated_at),
      },
    ]),
  );
}

export function parseSettings(value: unknown): Record<string, string> {
  return (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, string>;
}
