import { sql } from 'kysely';
import type { Db } from '../store/schema';

/** Rows one delete takes at most, so a long backlog never holds locks for long. */
const BATCH = 5_000;

/**
 * Deletes refresh tokens that expired more than `graceMs` ago, of every application and of the
 * portal, in bounded batches; returns how many went. A rotated or revoked token is kept until it
 * expires, because presenting it again is how reuse of a stolen token is caught; once expired
 * it could only ever be refused, so it goes.
 */
export async function pruneRefreshTokens(db: Db, graceMs: number): Promise<number> {
  const cutoff = new Date(Date.now() - graceMs);
  let total = 0;
  for (;;) {
    const result = await sql`
      delete from refresh_tokens where id in (
        select id from refresh_tokens where expires_at < ${cutoff} limit ${BATCH}
      )`.execute(db);
    const deleted = Number(result.numAffectedRows ?? 0);
    total += deleted;
    if (deleted < BATCH) return total;
  }
}
