import { sql } from 'kysely';
import type { Db } from '../store/schema';
import { deleteInBatches } from './batched-delete';

/**
 * Deletes link preview cache entries past their expiry (storage/link-previews.ts), every
 * application's, in bounded batches; answers how many went. A link seen again is fetched anew.
 */
export function pruneLinkPreviewCache(db: Db, now = new Date()): Promise<number> {
  return deleteInBatches(
    db,
    (limit) => sql`
      delete from link_preview_cache where ctid in (
        select ctid from link_preview_cache where expires_at < ${now} limit ${limit}
      )`,
  );
}
