import { type Kysely, sql } from 'kysely';
import type { Database } from '../../src/store/schema';

/**
 * Every table holding an application's data, with the columns that change on their own (presence
 * flips `is_online` a few seconds after a socket closes) or are derived (`search`) left out. The
 * outbox is left out too: its relay marks rows processed in the background.
 */
const TABLES: Record<string, string[]> = {
  app_users: ['is_online', 'last_active_at'],
  refresh_tokens: [],
  app_user_devices: [],
  teams: [],
  channels: [],
  channel_members: [],
  channel_events: [],
  messages: ['search'],
  message_attachments: [],
  message_reactions: [],
  message_reads: [],
  message_drafts: [],
  webhooks: [],
  campaigns: [],
  moderation_queue: [],
};

/** One hash per table of the applications' rows: equal digests mean nothing was written. */
export type Digest = Record<string, string>;

export async function digestApps(db: Kysely<Database>, appIds: string[]): Promise<Digest> {
  const columns = Object.entries(TABLES).map(([table, volatile]) => {
    const row = volatile.reduce((expr, column) => sql`${expr} - ${column}::text`, sql`to_jsonb(x)`);
    return sql`(select md5(coalesce(string_agg(r, '|' order by r), '')) from (select (${row})::text as r from ${sql.table(table)} x where x.app_id = any(${sql.val(appIds)}::uuid[])) rows) as ${sql.ref(table)}`;
  });
  const result = await sql<Digest>`select ${sql.join(columns)}`.execute(db);
  return result.rows[0]!;
}

/** The tables whose rows differ between two digests. */
export function changedTables(before: Digest, after: Digest): string[] {
  return Object.keys(TABLES).filter((table) => before[table] !== after[table]);
}
