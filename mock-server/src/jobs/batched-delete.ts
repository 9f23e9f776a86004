import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../store/schema';

/** Rows one delete statement takes at most, so a long backlog never holds locks for long. */
export const DELETE_BATCH = 5_000;

/**
 * Runs a delete of at most `DELETE_BATCH` rows until one takes fewer; answers how many went in
 * all. `statement(limit)` builds one batch's delete.
 */
export async function deleteInBatches(
  db: Db,
  statement: (limit: number) => RawBuilder<unknown>,
): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await statement(DELETE_BATCH).execute(db);
    const deleted = Number(result.numAffectedRows ?? 0);
    total += deleted;
    if (deleted < DELETE_BATCH) return total;
  }
}

/**
 * Deletes a log's rows created before `cutoff` (and matching `also`, when given), in bounded
 * batches; answers how many went. Every application's rows: retention is the platform's.
 */
export function deleteOlderThan(
  db: Db,
  table: 'channel_events' | 'outbox' | 'webhook_deliveries' | 'push_sends',
  cutoff: Date,
  also: RawBuilder<unknown> = sql`true`,
): Promise<number> {
  return deleteInBatches(
    db,
    (limit) => sql`
      delete from ${sql.table(table)} where ctid in (
        select ctid from ${sql.table(table)} where created_at < ${cutoff} and ${also} limit ${limit}
      )`,
  );
}
