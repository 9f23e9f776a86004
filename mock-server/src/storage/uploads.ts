import { randomUUID } from 'node:crypto';
import type { CreateUploadBody, Upload, UploadRefusal, UploadTarget } from '@chat/protocol';
import type { Selectable } from 'kysely';
import type { MediaUrls } from '../domain/media-urls';
import { recordAppEvent } from '../events/app-events';
import type { Actor } from '../kernel/actor';
import { forbidden, notFound } from '../kernel/errors';
import type { UploadRate } from '../limits/upload-rate';
import type { AppDb } from '../store/app-scope';
import type { StoredThumbnail, UploadsTable } from '../store/schema';
import type { UploadPolicies } from './app-upload-policy';
import { readDuration } from './media-duration';
import { mediaKind, SNIFF_BYTES, sniffType } from './media-sniff';
import type { ObjectStorage } from './object-storage';
import { refuseUpload } from './refuse-upload';
import { abortParts, assembleParts } from './upload-parts';
import { checkSize, checkType, refused } from './upload-policy';

/**
 * A user's uploads: a slot with a direct-upload target, then "complete", where the server checks
 * what was stored (its size, its real type sniffed from the bytes) against the policy before the
 * upload is ready to be attached. Only its owner sees an upload; another app's or another user's
 * answers 404, never 403.
 */
export interface UploadServices {
  storage: ObjectStorage;
  /** Each application's policy (size, types, pixels, uploads per minute). */
  policies: UploadPolicies;
  /** Upload slots per user per minute. */
  rate: UploadRate;
  /** Download URLs (the same signer message views use). */
  media: MediaUrls;
  /** How long "complete" waits for an image's processing before answering `processing`. */
  processWaitMs?: number;
}

const DEFAULT_PROCESS_WAIT_MS = 20_000;

type UploadRow = Pick<
  Selectable<UploadsTable>,
  | 'id'
  | 'state'
  | 'name'
  | 'declared_type'
  | 'declared_size'
  | 'mime_type'
  | 'kind'
  | 'size'
  | 'width'
  | 'height'
  | 'duration_ms'
  | 'storage_key'
  | 'created_at'
  | 'expires_at'
  | 'placeholder'
  | 'thumbnails'
  | 'refusal'
  | 'refusal_message'
>;

const COLUMNS = [
  'id',
  'state',
  'name',
  'declared_type',
  'declared_size',
  'mime_type',
  'kind',
  'size',
  'width',
  'height',
  'duration_ms',
  'storage_key',
  'created_at',
  'expires_at',
  'placeholder',
  'thumbnails',
  'refusal',
  'refusal_message',
] as const;

/** A completed upload can still be completed this long after its target expired (a slow network). */
const COMPLETE_GRACE_MS = 15 * 60_000;

function ownerOf(actor: Actor): string {
  if (!actor.userId) throw forbidden('Uploads belong to a user; server tokens have none');
  return actor.userId;
}

async function toUpload(row: UploadRow, s: UploadServices): Promise<Upload> {
  const ready = row.state === 'ready';
  const mime = row.mime_type ?? row.declared_type;
  const { media } = s;
  const thumbnails = ready ? storedThumbnails(row.thumbnails) : [];
  const [main, ...thumbs] = ready
    ? await Promise.all([
        media.sign({ key: row.storage_key, contentType: mime, name: row.name, kind: row.kind }),
        ...thumbnails.map((t) =>
          media.sign({ key: t.key, contentType: 'image/webp', name: row.name, kind: 'image' }),
        ),
      ])
    : [];
  return {
    id: row.id,
    state: row.state,
    name: row.name,
    mime_type: mime,
    kind: row.kind,
    size: Number(ready ? row.size : row.declared_size),
    width: row.width,
    height: row.height,
    duration_ms: ready ? row.duration_ms : null,
    url: main?.url ?? null,
    placeholder: ready ? row.placeholder : null,
    thumbnails: thumbnails.map((t, i) => ({ url: thumbs[i]!.url, width: t.width, height: t.height })),
    refusal:
      row.state === 'refused'
        ? {
            reason: (row.refusal ?? 'unsupported') as UploadRefusal,
            message: row.refusal_message ?? 'This upload was refused',
          }
        : null,
    created_at: new Date(row.created_at).toISOString(),
  };
}

/** The thumbnails column as read: JSON text on some drivers, parsed on others. */
export function storedThumbnails(value: StoredThumbnail[] | string | null): StoredThumbnail[] {
  return typeof value === 'string' ? (JSON.parse(value) as StoredThumbnail[]) : (value ?? []);
}

async function ownUpload(db: AppDb, actor: Actor, id: string): Promise<UploadRow> {
  const row = await db
    .selectFrom('uploads')
    .select(COLUMNS)
    .where('id', '=', id)
    .where('app_user_id', '=', ownerOf(actor))
    .executeTakeFirst();
  if (!row) throw notFound('Upload');
  return row;
}

export async function createUpload(
  db: AppDb,
  s: UploadServices,
  actor: Actor,
  body: CreateUploadBody,
): Promise<{ upload: Upload; target: UploadTarget }> {
  const userId = ownerOf(actor);
  const policy = await s.policies.forApp(db, actor.appId);
  checkSize(policy, body.size);
  checkType(policy, body.type);
  // Only a slot the policy takes is counted; one that then fails to be made is given back.
  await s.rate.take(actor.appId, userId, policy.uploadsPerMinute);
  const id = randomUUID();
  const key = `${actor.appId}/${id}/original`;
  let target: Awaited<ReturnType<ObjectStorage['uploadTarget']>>;
  let row: UploadRow;
  try {
    target = await s.storage.uploadTarget(key, {
      maxBytes: body.size,
      contentType: body.type,
      ttlSeconds: policy.targetTtlSeconds,
    });
    row = await db
      .insertInto('uploads')
      .values({
        id,
        app_id: actor.appId,
        app_user_id: userId,
        name: body.name,
        declared_type: body.type,
        declared_size: body.size,
        storage_key: key,
        expires_at: target.expiresAt,
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
  } catch (error) {
    await s.rate.giveBack(actor.appId, userId);
    throw error;
  }
  return {
    upload: await toUpload(row, s),
    target: {
      method: target.method,
      url: target.url,
      fields: target.fields,
      headers: target.headers,
      expires_at: target.expiresAt.toISOString(),
    },
  };
}

/** Media types whose family the bytes must confirm: a "photo" that is really a script is refused. */
const MEDIA_FAMILIES = new Set(['image', 'video', 'audio']);

async function readStart(storage: ObjectStorage, key: string, size: number): Promise<Uint8Array> {
  if (size === 0) return new Uint8Array();
  const chunks: Buffer[] = [];
  for await (const chunk of await storage.read(key, { start: 0, end: Math.min(size, SNIFF_BYTES) - 1 })) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Marks the upload refused and removes its bytes, then throws the refusal. */
const refuse = (db: AppDb, s: UploadServices, row: UploadRow, error: ReturnType<typeof refused>) =>
  refuseUpload(db, s.storage, row, error);

export async function completeUpload(
  db: AppDb,
  s: UploadServices,
  actor: Actor,
  id: string,
): Promise<Upload> {
  const row = await ownUpload(db, actor, id);
  if (row.state === 'ready') return toUpload(row, s);
  if (row.state === 'refused') throw refused('unsupported', 'This upload was refused; start a new one');
  // A resumable upload's parts become the file first (upload-parts.ts); then it is checked as any.
  await assembleParts(db, s, actor, row.id);
  const policy = await s.policies.forApp(db, actor.appId);
  const stored = await s.storage.head(row.storage_key);
  if (!stored) {
    if (Date.now() > new Date(row.expires_at).getTime() + COMPLETE_GRACE_MS) {
      throw refused('expired', 'The upload target expired before the file arrived; start a new upload');
    }
    throw refused('not_uploaded', 'No file has been uploaded to this upload’s target yet');
  }
  if (stored.size > Number(row.declared_size)) {
    return refuse(
      db,
      s,
      row,
      refused('too_large', `The file is larger than the ${row.declared_size} bytes announced`),
    );
  }
  try {
    checkSize(policy, stored.size);
  } catch (error) {
    return refuse(db, s, row, error as ReturnType<typeof refused>);
  }
  const sniffed = await sniffType(await readStart(s.storage, row.storage_key, stored.size));
  const mime = sniffed?.mime ?? 'application/octet-stream';
  const kind = mediaKind(mime);
  try {
    checkType(policy, mime);
  } catch (error) {
    return refuse(db, s, row, error as ReturnType<typeof refused>);
  }
  // By the sniffed type's family, not the kind: an SVG an app unblocked is an image that the server
  // keeps as a file (served only as a download), not a lie.
  const declaredFamily = row.declared_type.split('/')[0]!.toLowerCase();
  if (MEDIA_FAMILIES.has(declaredFamily) && mime.split('/')[0] !== declaredFamily) {
    return refuse(
      db,
      s,
      row,
      refused('type_mismatch', `The file was announced as ${row.declared_type} but is ${mime}`),
    );
  }
  // An image is processed by a job (cleaned of its metadata, thumbnails made) before anyone can
  // fetch it; anything else is ready as stored.
  const processed = kind === 'image';
  // Video and audio: their length, when the container's headers say it (bounded in bytes and time).
  const duration =
    kind === 'video' || kind === 'audio'
      ? await readDuration(s.storage, row.storage_key, { size: stored.size, mimeType: mime })
      : null;
  const done = await db.transaction().execute(async (tx) => {
    const updated = await tx
      .updateTable('uploads')
      .set({
        state: processed ? 'processing' : 'ready',
        mime_type: mime,
        kind,
        size: stored.size,
        duration_ms: duration,
        completed_at: new Date(),
      })
      .where('id', '=', row.id)
      .where('state', '=', 'pending')
      .returning(COLUMNS)
      .executeTakeFirst();
    if (updated && processed) {
      await recordAppEvent(tx, actor.appId, {
        type: 'internal.upload_process',
        created_at: new Date().toISOString(),
        upload_id: row.id,
      });
    }
    return updated;
  });
  // A concurrent completion got there first: answer what it decided.
  const current = done ?? (await ownUpload(db, actor, id));
  return toUpload(current.state === 'processing' ? await settled(db, s, actor, id) : current, s);
}

/** How often a completion looks whether the processing job has finished. */
const SETTLE_POLL_MS = 100;

/**
 * The upload once its processing has finished, or as it is after `processWaitMs` (still
 * `processing`: the client asks again with GET). Most photos take well under a second, so the
 * client usually learns the outcome, a refusal included, from "complete" itself.
 */
async function settled(db: AppDb, s: UploadServices, actor: Actor, id: string): Promise<UploadRow> {
  const until = Date.now() + (s.processWaitMs ?? DEFAULT_PROCESS_WAIT_MS);
  for (;;) {
    const row = await ownUpload(db, actor, id);
    if (row.state !== 'processing' || Date.now() >= until) return row;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
}

export async function getUpload(db: AppDb, s: UploadServices, actor: Actor, id: string): Promise<Upload> {
  return toUpload(await ownUpload(db, actor, id), s);
}

export async function deleteUpload(db: AppDb, s: UploadServices, actor: Actor, id: string): Promise<void> {
  const row = await ownUpload(db, actor, id);
  await abortParts(db, s, row.id);
  await deleteStoredFiles(s.storage, row);
  await db.deleteFrom('uploads').where('id', '=', row.id).execute();
}

/** Removes an upload's bytes: the file and its thumbnails. */
export async function deleteStoredFiles(
  storage: ObjectStorage,
  row: Pick<UploadRow, 'storage_key' | 'thumbnails'>,
): Promise<void> {
  await Promise.all([
    storage.delete(row.storage_key),
    ...storedThumbnails(row.thumbnails).map((t) => storage.delete(t.key)),
  ]);
}
