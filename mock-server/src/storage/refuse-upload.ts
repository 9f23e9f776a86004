import type { AppDb } from '../store/app-scope';
import type { ObjectStorage } from './object-storage';
import type { refused } from './upload-policy';

/**
 * Marks an upload refused and removes its stored file, then throws the refusal (the client reads
 * its reason; the row stays, refused, until the sweep).
 */
export async function refuseUpload(
  db: AppDb,
  storage: ObjectStorage,
  row: { id: string; storage_key: string },
  error: ReturnType<typeof refused>,
): Promise<never> {
  await storage.delete(row.storage_key);
  await db
    .updateTable('uploads')
    .set({
      state: 'refused',
      refusal: String(error.body.details?.reason ?? 'refused'),
      completed_at: new Date(),
    })
    .where('id', '=', row.id)
    .execute();
  throw error;
}
