import { fromKysely, type JobWithMetadata } from 'pg-boss';
import type { Logger } from 'pino';
import type { UploadProcessRequest, UploadsDeleteRequest } from '../events/app-events';
import type { FeedConsumer, FeedEvent } from '../jobs/event-feed';
import type { JobQueue } from '../jobs/job-queue';
import type { AppDb } from '../store/app-scope';
import type { DataAccess } from '../store/data-access';
import type { UploadPolicies } from './app-upload-policy';
import { ImageRefused, processImage } from './image-processing';
import type { ObjectStorage } from './object-storage';
import { deleteStoredFiles } from './uploads';

/**
 * Media jobs: an uploaded image is processed (cleaned of its metadata, turned upright,
 * thumbnails and a placeholder made) before anyone can fetch it, and the uploads of a deleted
 * message go with their files. Requests come through the outbox (written in the request's
 * transaction, so none is lost), are turned into jobs by a feed consumer, and are worked on the
 * nodes that work jobs: a crash mid-way retries the job, and every step can run twice.
 */
export const MEDIA_QUEUE = 'media';

export type MediaJob =
  | { kind: 'process'; appId: string; uploadId: string }
  | { kind: 'delete'; appId: string; uploadIds: string[] };

/** Retries of a job that failed on something other than the image itself (storage down). */
const RETRY = { retryLimit: 5, retryDelay: 5, retryBackoff: true, retryDelayMax: 300 };

export async function createMediaQueue(boss: JobQueue): Promise<void> {
  const exists = (await boss.getQueues()).some((queue) => queue.name === MEDIA_QUEUE);
  const settings = { ...RETRY, heartbeatSeconds: 30, expireInSeconds: 15 * 60 };
  if (exists) await boss.updateQueue(MEDIA_QUEUE, settings);
  else await boss.createQueue(MEDIA_QUEUE, { policy: 'standard', ...settings });
}

type MediaEvent = FeedEvent & { event: UploadProcessRequest | UploadsDeleteRequest };

/** The feed consumer that queues a job per processing or deletion request. */
export function mediaProducer(boss: JobQueue): FeedConsumer {
  return {
    name: 'media',
    async handle(tx, events) {
      const jobs: MediaJob[] = events
        .filter(
          (e): e is MediaEvent =>
            e.event.type === 'internal.upload_process' || e.event.type === 'internal.uploads_delete',
        )
        .map(({ appId, event }) =>
          event.type === 'internal.upload_process'
            ? { kind: 'process', appId, uploadId: event.upload_id }
            : { kind: 'delete', appId, uploadIds: event.upload_ids },
        );
      if (jobs.length === 0) return;
      await boss.insert(
        MEDIA_QUEUE,
        jobs.map((data) => ({ data })),
        { db: fromKysely(tx) },
      );
    },
  };
}

export interface MediaWorkerOptions {
  storage: ObjectStorage;
  /** Each application's policy: its image pixel limit. */
  policies: UploadPolicies;
  logger: Logger;
}

/**
 * Works the media queue on this node, one image at a time (decoding one can take a few hundred
 * megabytes). Returns `wake` (a job was just queued) and `stop`.
 */
export async function workMedia(
  boss: JobQueue,
  data: DataAccess,
  options: MediaWorkerOptions,
): Promise<{ wake(): void; stop(): Promise<void> }> {
  const workerId = await boss.work(
    MEDIA_QUEUE,
    { includeMetadata: true, pollingIntervalSeconds: 2 },
    async ([job]: JobWithMetadata<MediaJob>[]) => {
      if (!job) return;
      const last = job.retryCount >= job.retryLimit;
      const db = data.forApp(job.data.appId);
      if (job.data.kind === 'delete') await deleteUploads(db, options.storage, job.data.uploadIds);
      else await processUpload(db, options, job.data.uploadId, last);
    },
  );
  return {
    wake: () => boss.notifyWorker(workerId),
    stop: () => boss.offWork(MEDIA_QUEUE, { id: workerId, wait: true }),
  };
}

/** Thumbnail widths made for an image (those not smaller than it are skipped). */
export const THUMBNAIL_WIDTHS = [360, 720, 1440];

/**
 * Processes an upload that waits for it (`processing`); anything else (done already, deleted)
 * is left alone. A refused image (too many pixels, unreadable, HEIC without a decoder) becomes
 * `refused` with the reason, its bytes removed. On the last attempt, any failure refuses it too:
 * the user learns it will not come, instead of waiting for ever.
 */
export async function processUpload(
  db: AppDb,
  options: Pick<MediaWorkerOptions, 'storage' | 'policies' | 'logger'>,
  uploadId: string,
  lastAttempt = true,
): Promise<void> {
  const { storage, policies, logger } = options;
  const row = await db
    .selectFrom('uploads')
    .select(['id', 'app_id', 'state', 'storage_key', 'thumbnails', 'size'])
    .where('id', '=', uploadId)
    .executeTakeFirst();
  if (row?.state !== 'processing') return;
  const policy = await policies.forApp(db, row.app_id);
  try {
    const input = await readAll(storage, row.storage_key, Number(row.size ?? policy.maxBytes));
    const image = await processImage(input, {
      maxPixels: policy.maxImagePixels,
      thumbnailWidths: THUMBNAIL_WIDTHS,
    });
    const base = row.storage_key.replace(/\/[^/]+$/, '');
    const thumbnails = image.thumbnails.map((t) => ({
      key: `${base}/thumb-${t.width}`,
      width: t.width,
      height: t.height,
    }));
    await Promise.all([
      storage.write(row.storage_key, image.data, image.mime),
      ...image.thumbnails.map((t, i) => storage.write(thumbnails[i]!.key, t.data, t.mime)),
    ]);
    await db
      .updateTable('uploads')
      .set({
        state: 'ready',
        mime_type: image.mime,
        size: image.data.length,
        width: image.width,
        height: image.height,
        placeholder: image.placeholder,
        thumbnails: JSON.stringify(thumbnails),
      })
      .where('id', '=', row.id)
      .where('state', '=', 'processing')
      .execute();
  } catch (error) {
    const refusal =
      error instanceof ImageRefused
        ? error
        : lastAttempt
          ? new ImageRefused('corrupt', 'This image could not be processed', { cause: error })
          : null;
    if (!refusal) throw error;
    if (!(error instanceof ImageRefused))
      logger.warn({ err: error, uploadId }, 'image processing failed for good');
    await deleteStoredFiles(storage, row);
    await db
      .updateTable('uploads')
      .set({ state: 'refused', refusal: refusal.reason, refusal_message: refusal.message })
      .where('id', '=', row.id)
      .where('state', '=', 'processing')
      .execute();
  }
}

/** Removes uploads (their files first: a crash in between leaves a row to delete again). */
export async function deleteUploads(db: AppDb, storage: ObjectStorage, uploadIds: string[]): Promise<void> {
  if (uploadIds.length === 0) return;
  const rows = await db
    .selectFrom('uploads')
    .select(['id', 'storage_key', 'thumbnails'])
    .where('id', 'in', uploadIds)
    .execute();
  for (const row of rows) await deleteStoredFiles(storage, row);
  if (rows.length)
    await db
      .deleteFrom('uploads')
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
}

async function readAll(storage: ObjectStorage, key: string, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of await storage.read(key)) {
    total += (chunk as Buffer).length;
    if (total > size)
      throw new ImageRefused('corrupt', 'The stored image is larger than when it was checked');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
