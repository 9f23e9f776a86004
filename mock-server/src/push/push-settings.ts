import type { PushSettings, PushStatsResponse, SetPushSettingsBody } from '@chat/protocol';
import { sql } from 'kysely';
import type { AppDb } from '../store/app-scope';

/** What a push says unless the application says otherwise. */
export const DEFAULT_PUSH_SETTINGS = {
  title_template: '{{sender}}',
  body_template: '{{text}}',
  include_content: true,
} as const;

export async function getPushSettings(db: AppDb): Promise<PushSettings> {
  const row = await db
    .selectFrom('push_settings')
    .select(['title_template', 'body_template', 'include_content', 'updated_at'])
    .executeTakeFirst();
  if (!row) return { ...DEFAULT_PUSH_SETTINGS, updated_at: null };
  return { ...row, updated_at: new Date(row.updated_at).toISOString() };
}

/** Changes what is given; the rest keeps its value (or the default). */
export async function setPushSettings(
  db: AppDb,
  appId: string,
  body: SetPushSettingsBody,
): Promise<PushSettings> {
  const now = new Date();
  const current = await getPushSettings(db);
  const next = {
    title_template: body.title_template ?? current.title_template,
    body_template: body.body_template ?? current.body_template,
    include_content: body.include_content ?? current.include_content,
  };
  await db
    .insertInto('push_settings')
    .values({ app_id: appId, ...next, updated_at: now })
    .onConflict((oc) => oc.column('app_id').doUpdateSet({ ...body, updated_at: now }))
    .execute();
  return getPushSettings(db);
}

/** Counts of one job's outcomes, added to the day's counters. */
export interface PushTally {
  sent: number;
  failed: number;
  removed: number;
}

export async function countPushes(db: AppDb, appId: string, tally: PushTally): Promise<void> {
  if (tally.sent + tally.failed + tally.removed === 0) return;
  const day = new Date().toISOString().slice(0, 10);
  await db
    .insertInto('push_counters')
    .values({ app_id: appId, day, ...tally })
    .onConflict((oc) =>
      oc.columns(['app_id', 'day']).doUpdateSet((eb) => ({
        sent: eb('push_counters.sent', '+', eb.ref('excluded.sent')),
        failed: eb('push_counters.failed', '+', eb.ref('excluded.failed')),
        removed: eb('push_counters.removed', '+', eb.ref('excluded.removed')),
      })),
    )
    .execute();
}

/** The last `days` days (UTC) with any push, newest first, and their total. */
export async function getPushStats(db: AppDb, days = 30): Promise<PushStatsResponse> {
  const since = new Date(Date.now() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const rows = await db
    .selectFrom('push_counters')
    .select([sql<string>`to_char(day, 'YYYY-MM-DD')`.as('day'), 'sent', 'failed', 'removed'])
    .where('day', '>=', since)
    .orderBy('day', 'desc')
    .execute();
  const total = { sent: 0, failed: 0, removed: 0 };
  for (const row of rows) {
    total.sent += row.sent;
    total.failed += row.failed;
    total.removed += row.removed;
  }
  return { days: rows, total };
}
