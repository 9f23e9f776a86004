import type { Logger } from 'pino';
import type { ObjectStorage } from '../storage/object-storage';
import { deleteStoredFiles } from '../storage/uploads';
import type { Db } from '../store/schema';
import type { JobQueue } from './job-queue';

export const UPLOAD_SWEEP_QUEUE = 'upload-sweep';
/** Past its target's expiry, a pending upload can still be completed this long (a slow network). */
export const UPLOAD_SWEEP_GRACE_MS = 60 * 60_000;
/**
 * A ready upload on no message is removed this long after it was completed: longer than the SDK's
 * offline queue keeps a send waiting (24 h), so a send queued with its uploads still finds them.
 */
export const UNATTACHED_UPLOAD_TTL_MS = 7 * 24 * 60 * 60_000;
const BATCH = 500;
/** Objects deleted at once: storage calls, not database rows. */
const DELETES_AT_ONCE = 8;

/**
 * Removes uploads nobody will complete: pending ones whose target expired more than `graceMs` ago
 * (their bytes too, if any arrived, and a resumable one's parts: its multipart upload is aborted),
 * refused ones as old (their bytes went at the refusal), and ready ones on no message
 * `unattachedMs` after their completion (the file and its thumbnails).
 * Every application's; returns how many went. An object is deleted before its row, so a crash
 * in between leaves a row the next pass deletes again, never an object no row points to.
 */
export async function sweepUploads(
  db: Db,
  storage: ObjectStorage,
  graceMs = UPLOAD_SWEEP_GRACE_MS,
  unattachedMs = UNATTACHED_UPLOAD_TTL_MS,
): Promise<number> {
  const cutoff = new Date(Date.now() - graceMs);
  let total = await sweepUnattached(db, storage, new Date(Date.now() - unattachedMs));
  for (;;) {
    const stale = await db
      .selectFrom('uploads')
      .select(['id', 'storage_key', 'state', 'multipart_id'])
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'pending'), eb('expires_at', '<', cutoff)]),
          eb.and([eb('state', '=', 'refused'), eb('created_at', '<', cutoff)]),
        ]),
      )
      .limit(BATCH)
      .execute();
    if (stale.length === 0) return total;
    const pending = stale.filter((upload) => upload.state === 'pending');
    for (let i = 0; i < pending.length; i += DELETES_AT_ONCE) {
      await Promise.all(
        pending.slice(i, i + DELETES_AT_ONCE).map(async (upload) => {
          if (upload.multipart_id) await storage.multipart.abort(upload.storage_key, upload.multipart_id);
          await storage.delete(upload.storage_key);
        }),
      );
    }
    await db
      .deleteFrom('uploads')
      .where(
        'id',
        'in',
        stale.map((upload) => upload.id),
      )
      .execute();
    total += stale.length;
    if (stale.length < BATCH) return total;
  }
}

/** Ready uploads completed before `cutoff` and on no message: their files, then their rows. */
async function sweepUnattached(db: Db, storage: ObjectStorage, cutoff: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const unused = await db
      .selectFrom('uploads')
      .select(['id', 'storage_key', 'thumbnails'])
      .where('state', '=', 'ready')
      .where('message_id', 'is', null)
      .where('completed_at', '<', cutoff)
      .limit(BATCH)
      .execute();
    if (unused.length === 0) return total;
    for (let i = 0; i < unused.length; i += DELETES_AT_ONCE) {
      await Promise.all(
        unused.slice(i, i + DELETES_AT_ONCE).map((upload) => deleteStoredFiles(storage, upload)),
      );
    }
    // Attached meanwhile (a send that just took it): kept, even though its files went — the
    // window is a send racing a week-old upload's sweep, and the message then shows a failed tile.
    await db
      .deleteFrom('uploads')
      .where(
        'id',
        'in',
        unused.map((upload) => upload.id),
      )
      .where('message_id', 'is', null)
      .execute();
    total += unused.length;
    if (unused.length < BATCH) return total;
  }
}

/** The sweep's queue and schedule (every 10 minutes, one pass at a time across workers). */
export async function scheduleUploadSweep(boss: JobQueue): Promise<void> {
  const existing = new Set((await boss.getQueues()).map((queue) => queue.name));
  if (!existing.has(UPLOAD_SWEEP_QUEUE)) {
    await boss.createQueue(UPLOAD_SWEEP_QUEUE, {
      policy: 'singleton',
      retryLimit: 3,
      retryBackoff: true,
      expireInSeconds: 15 * 60,
    });
  }
  await boss.schedule(UPLOAD_SWEEP_QUEUE, '*/10 * * * *');
}

export async function workUploadSweep(
  boss: JobQueue,
  db: Db,
  storage: ObjectStorage,
  logger: Logger,
): Promise<void> {
  await boss.work(UPLOAD_SWEEP_QUEUE, async () => {
    const swept = await sweepUploads(db, storage);
    if (swept > 0) logger.info({ job: UPLOAD_SWEEP_QUEUE, swept }, 'abandoned uploads swept');
  });
}
