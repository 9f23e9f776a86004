import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../src/store/schema';

/**
 * Every table holding an application's data, with the columns that change on their own (presence
 * flips `is_online` a few seconds after a socket closes) or are derived (`search`) left out.
 *
 * Webhooks: the delivery worker records each attempt on its entry of the log in the background
 * (`state`, `attempts`, `last_*`, `updated_at`, `delivered_at`), and the feed consumer logs a
 * delivery for every event an enabled endpoint subscribes to, whenever it gets to the event: so
 * only the logs of `webhookIds` are digested, endpoints that stay disabled and whose log only a
 * replay over the API writes. An endpoint's own row changes only by the API (`updated_at` with
 * it) or when the server disables it after every retry failed, a day later.
 *
 * The outbox holds an application's events, each written in the transaction of the request that
 * causes it (a webhook replay, say), or when the server disables an endpoint after every retry
 * failed, a day later; nothing marks them processed any more (the feed reads them by position).
 */
const TABLES: Record<string, string[]> = {
  app_users: ['is_online', 'last_active_at'],
  refresh_tokens: [],
  app_user_devices: [],
  uploads: [],
  channels: [],
  channel_members: [],
  channel_events: [],
  messages: ['search'],
  message_attachments: [],
  message_reactions: [],
  message_reads: [],
  message_drafts: [],
  webhooks: [],
  webhook_deliveries: [
    'state',
    'attempts',
    'last_status',
    'last_latency_ms',
    'last_error',
    'updated_at',
    'delivered_at',
  ],
  outbox: [],
  campaigns: [],
  moderation_queue: [],
  blocklists: [],
  blocklist_entries: [],
};

/** One hash per table of the applications' rows: equal digests mean nothing was written. */
export type Digest = Record<string, string>;

export interface DigestScope {
  /** The endpoints whose delivery logs are digested (see TABLES). */
  webhookIds: string[];
}

export async function digestApps(
  db: Kysely<Database>,
  appIds: string[],
  scope: DigestScope = { webhookIds: [] },
): Promise<Digest> {
  const only: Record<string, RawBuilder<unknown>> = {
    webhook_deliveries: sql`and x.webhook_id = any(${sql.val(scope.webhookIds)}::uuid[])`,
  };
  const columns = Object.entries(TABLES).map(([table, volatile]) => {
    const row = volatile.reduce((expr, column) => sql`${expr} - ${column}::text`, sql`to_jsonb(x)`);
    return sql`(select md5(coalesce(string_agg(r, '|' order by r), '')) from (select (${row})::text as r from ${sql.table(table)} x where x.app_id = any(${sql.val(appIds)}::uuid[]) ${only[table] ?? sql``}) rows) as ${sql.ref(table)}`;
  });
  const result = await sql<Digest>`select ${sql.join(columns)}`.execute(db);
  return result.rows[0]!;
}

/** The tables whose rows differ between two digests. */
export function changedTables(before: Digest, after: Digest): string[] {
  return Object.keys(TABLES).filter((table) => before[table] !== after[table]);
}
