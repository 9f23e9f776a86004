import { sql } from 'kysely';
import type { Db } from '../store/schema';
import { deleteInBatches } from './batched-delete';

/**
 * Deletes refresh tokens that expired more than `graceMs` ago, of every application and of the
 * portal, in bounded batches; returns how many went. A rotated or revoked token is kept until it
 * expires, because presenting it again is how reuse of a stolen token is caught; once expired
 * it could only ever be refused, so it goes.
 */
export async function pruneRefreshTokens(db: Db, graceMs: number): Promise<number> {
  const cutoff = new Date(Date.now() - graceMs);
  let total = 0;
  // App users' tokens, then the portal's customers' (their sessions, in a table of their own).
  for (const table of ['refresh_tokens', 'customer_refresh_tokens'] as const) {
    total += await deleteInBatches(
      db,
      (limit) => sql`
        delete from ${sql.table(table)} where id in (
          select id from ${sql.table(table)} where expires_at < ${cutoff} limit ${limit}
        )`,
    );
  }
  return total;
}
