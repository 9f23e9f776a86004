import type { RawBuilder } from 'kysely';
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
