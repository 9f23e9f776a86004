import {
  type MultipartTarget,
  type RecordUploadPartBody,
  UPLOAD_PARTS,
  type UploadPart,
  type UploadPartsResponse,
  type UploadPartTarget,
} from '@chat/protocol';
import type { Actor } from '../kernel/actor';
import { ChatError, forbidden, notFound } from '../kernel/errors';
import type { AppDb } from '../store/app-scope';
import { MultipartError, type StoredPart, TooLargeError } from './object-storage';
import { refuseUpload } from './refuse-upload';
import { refused } from './upload-policy';
import type { UploadServices } from './uploads';

/**
 * Resumable uploads: a large file sent in numbered parts, each straight to storage on its own
 * signed, expiring URL (S3 multipart semantics, on disk too), so that a dropped connection costs
 * the part in flight rather than the file. A client that lost its connection, or reloaded, asks
 * which parts are stored and sends only the others; "complete" assembles them (streaming) and then
 * checks the file as for any upload (uploads.ts).
 *
 * Which parts are stored: disk storage lists its part files; on S3 the server keeps what clients
 * report (their ETags), since ListParts is missing from S3-compatible servers such as s3rver, and
 * S3 checks every reported ETag when it assembles the parts.
 *
 * Part URLs are asked for in batches (`POST /v1/uploads/{id}/parts`), not all handed out when the
 * upload starts: they expire within the policy's target TTL (15 minutes) while a 200 MB video on
 * a train can take hours, so a client asks for the parts it is about to send, when it sends them.
 */

/** How long a resumable upload waits for its parts; each request for part URLs renews it. */
export const RESUMABLE_TTL_MS = 24 * 3600_000;

interface MultipartRow {
  id: string;
  state: string;
  storage_key: string;
  declared_size: number;
  multipart_id: string;
  part_size: number;
  part_count: number;
}

function ownerOf(actor: Actor): string {
  if (!actor.userId) throw forbidden('Uploads belong to a user; server tokens have none');
  return actor.userId;
}

/** How a file of `size` bytes is cut: 8 MiB parts, larger ones past 10,000 of them (S3's limit). */
export function partPlan(size: number): { partSize: number; partCount: number } {
  const mib = 1024 * 1024;
  const partSize = Math.max(UPLOAD_PARTS.PART_SIZE, Math.ceil(size / UPLOAD_PARTS.MAX_PARTS / mib) * mib);
  return { partSize, partCount: Math.max(1, Math.ceil(size / partSize)) };
}

/** The most bytes part `n` may hold: the part size, and for the last part what is left. */
function partMax(row: MultipartRow, n: number): number {
  return n < row.part_count ? row.part_size : row.declared_size - (row.part_count - 1) * row.part_size;
}

async function ownMultipart(db: AppDb, actor: Actor, id: string): Promise<MultipartRow> {
  const row = await db
    .selectFrom('uploads')
    .select(['id', 'state', 'storage_key', 'declared_size', 'multipart_id', 'part_size', 'part_count'])
    .where('id', '=', id)
    .where('app_user_id', '=', ownerOf(actor))
    .executeTakeFirst();
  if (!row) throw notFound('Upload');
  if (!row.multipart_id || !row.part_size || !row.part_count) {
    throw new ChatError('conflict', 'This upload was not started as a resumable one; it has no parts');
  }
  if (row.state !== 'pending') {
    throw new ChatError('conflict', 'This upload is complete; it takes no more parts', { state: row.state });
  }
  return { ...row, declared_size: Number(row.declared_size) } as MultipartRow;
}

function checkPartNumber(row: MultipartRow, n: number): void {
  if (n > row.part_count) {
    throw new ChatError(
      'validation_failed',
      `This upload has ${row.part_count} parts; there is no part ${n}`,
      {
        issues: [{ path: ['part_number'], message: `At most ${row.part_count}` }],
      },
    );
  }
}

/**
 * Turns a pending upload just made by `createUpload` (which applied the policy's checks) into a
 * resumable one: starts the storage's multipart upload and records how the file is cut. If the
 * storage fails, the upload goes: nothing is left half-started.
 */
export async function startMultipart(
  db: AppDb,
  s: UploadServices,
  actor: Actor,
  uploadId: string,
): Promise<MultipartTarget> {
  const row = await db
    .selectFrom('uploads')
    .select(['storage_key', 'declared_type', 'declared_size'])
    .where('id', '=', uploadId)
    .where('app_user_id', '=', ownerOf(actor))
    .executeTakeFirstOrThrow();
  const { partSize, partCount } = partPlan(Number(row.declared_size));
  let multipartId: string;
  try {
    multipartId = await s.storage.multipart.create(row.storage_key, row.declared_type);
  } catch (error) {
    await db.deleteFrom('uploads').where('id', '=', uploadId).execute();
    throw error;
  }
  const expiresAt = new Date(Date.now() + RESUMABLE_TTL_MS);
  await db
    .updateTable('uploads')
    .set({ multipart_id: multipartId, part_size: partSize, part_count: partCount, expires_at: expiresAt })
    .where('id', '=', uploadId)
    .execute();
  return { part_size: partSize, part_count: partCount, expires_at: expiresAt.toISOString() };
}

/** Signed, expiring URLs for the parts asked for; the upload stays resumable a day from now. */
export async function signUploadParts(
  db: AppDb,
  s: UploadServices,
  actor: Actor,
  id: string,
  partNumbers: number[],
): Promise<UploadPartTarget[]> {
  const row = await ownMultipart(db, actor, id);
  for (const n of partNumbers) checkPartNumber(row, n);
  const { targetTtlSeconds } = await s.policies.forApp(db, actor.appId);
  await db
    .updateTable('uploads')
    .set({ expires_at: new Date(Date.now() + RESUMABLE_TTL_MS) })
    .where('id', '=', row.id)
    .execute();
  return Promise.all(
    partNumbers.map(async (n) => {
      const target = await s.storage.multipart.partTarget(row.storage_key, row.multipart_id, n, {
        maxBytes: partMax(row, n),
        ttlSeconds: targetTtlSeconds,
        offset: (n - 1) * row.part_size,
      });
      return {
        part_number: n,
        method: 'PUT' as const,
        url: target.url,
        headers: target.headers,
        expires_at: target.expiresAt.toISOString(),
      };
    }),
  );
}

const toWire = (part: StoredPart): UploadPart => ({
  part_number: part.partNumber,
  size: part.size,
  etag: part.etag,
});
const bareEtag = (etag: string) => etag.replace(/^W\//, '').replaceAll('"', '');

/** The parts stored: listed by the storage (disk), or as their clients reported them (S3). */
async function storedParts(db: AppDb, s: UploadServices, row: MultipartRow): Promise<StoredPart[]> {
  let listed: StoredPart[] | null;
  try {
    listed = await s.storage.multipart.listParts(row.storage_key, row.multipart_id);
  } catch (error) {
    if (error instanceof MultipartError) {
      throw refused('expired', 'This upload’s parts are gone; start a new upload');
    }
    throw error;
  }
  if (listed) return listed;
  const rows = await db
    .selectFrom('upload_parts')
    .select(['part_number', 'size', 'etag'])
    .where('upload_id', '=', row.id)
    .orderBy('part_number')
    .execute();
  return rows.map((r) => ({ partNumber: r.part_number, size: Number(r.size), etag: r.etag }));
}

export async function listUploadParts(
  db: AppDb,
  s: UploadServices,
  actor: Actor,
  id: string,
): Promise<UploadPartsResponse> {
  const row = await ownMultipart(db, actor, id);
  const parts = await storedParts(db, s, row);
  return { part_size: row.part_size, part_count: row.part_count, parts: parts.map(toWire) };
}

/**
 * Records a part the client sent (the ETag its PUT answered). Disk storage knows its parts, and
 * only confirms the report; on S3 the record is what a resume and the completion go by.
 */
export async function recordUploadPart(
  db: AppDb,
  s: UploadServices,
  actor: Actor,
  id: string,
  n: number,
  body: RecordUploadPartBody,
): Promise<UploadPart> {
  const row = await ownMultipart(db, actor, id);
  checkPartNumber(row, n);
  if (body.size > partMax(row, n)) {
    throw new ChatError('validation_failed', `Part ${n} may hold at most ${partMax(row, n)} bytes`, {
      issues: [{ path: ['size'], message: `At most ${partMax(row, n)}` }],
    });
  }
  const listed = await s.storage.multipart.listParts(row.storage_key, row.multipart_id).catch((error) => {
    if (error instanceof MultipartError)
      throw refused('expired', 'This upload’s parts are gone; start a new upload');
    throw error;
  });
  if (listed) {
    const stored = listed.find((part) => part.partNumber === n);
    if (!stored || bareEtag(stored.etag) !== bareEtag(body.etag)) {
      throw refused('not_uploaded', `Part ${n} is not stored with that ETag; send it again`);
    }
    return toWire(stored);
  }
  const etag = `"${bareEtag(body.etag)}"`;
  await db
    .insertInto('upload_parts')
    .values({ app_id: actor.appId, upload_id: row.id, part_number: n, size: body.size, etag })
    .onConflict((oc) => oc.columns(['upload_id', 'part_number']).doUpdateSet({ size: body.size, etag }))
    .execute();
  return { part_number: n, size: body.size, etag };
}

/**
 * Marks the upload refused and removes everything it stored (the parts, an assembled file), then
 * throws the refusal.
 */
async function refuse(
  db: AppDb,
  s: UploadServices,
  row: MultipartRow,
  error: ReturnType<typeof refused>,
): Promise<never> {
  await s.storage.multipart.abort(row.storage_key, row.multipart_id);
  return refuseUpload(db, s.storage, row, error);
}

/**
 * For a resumable upload being completed: assembles its parts into the file (streamed by the
 * storage, never held here) so that "complete" can check it as any upload. Every part must be
 * there; a missing one is a 422 `not_uploaded` naming the parts to send (nothing is lost: send
 * them and complete again). Parts adding up to more than the declared size are refused. Does
 * nothing for an upload sent in one request, or one already assembled (a repeated "complete").
 */
export async function assembleParts(
  db: AppDb,
  s: UploadServices,
  actor: Actor,
  uploadId: string,
): Promise<void> {
  const found = await db
    .selectFrom('uploads')
    .select(['multipart_id', 'state'])
    .where('id', '=', uploadId)
    .executeTakeFirst();
  if (!found?.multipart_id || found.state !== 'pending') return;
  const row = await ownMultipart(db, actor, uploadId);
  if (await s.storage.head(row.storage_key)) return;
  const parts = await storedParts(db, s, row);
  const have = new Set(parts.map((part) => part.partNumber));
  const missing: number[] = [];
  for (let n = 1; n <= row.part_count && missing.length < UPLOAD_PARTS.URLS_PER_REQUEST; n++) {
    if (!have.has(n)) missing.push(n);
  }
  if (missing.length > 0) {
    throw new ChatError('upload_refused', `Parts ${missing.join(', ')} are not stored yet; send them first`, {
      reason: 'not_uploaded',
      missing_parts: missing,
    });
  }
  const total = parts.reduce((sum, part) => sum + part.size, 0);
  const tooLarge = refused('too_large', `The file is larger than the ${row.declared_size} bytes announced`);
  if (total > row.declared_size) return refuse(db, s, row, tooLarge);
  try {
    await s.storage.multipart.complete(
      row.storage_key,
      row.multipart_id,
      parts.filter((part) => part.partNumber <= row.part_count),
      row.declared_size,
    );
  } catch (error) {
    if (error instanceof TooLargeError) return refuse(db, s, row, tooLarge);
    if (!(error instanceof MultipartError)) throw error;
    // A concurrent "complete" may have assembled it first.
    if (await s.storage.head(row.storage_key)) return;
    if (error.reason === 'gone') {
      return refuse(db, s, row, refused('expired', 'This upload’s parts are gone; start a new upload'));
    }
    // S3 found a reported ETag that is not what it stored: the reports cannot be trusted, so
    // they go, and the client sends its parts again.
    await db.deleteFrom('upload_parts').where('upload_id', '=', row.id).execute();
    throw refused('not_uploaded', 'The storage does not have the parts reported; send them again');
  }
  await db.deleteFrom('upload_parts').where('upload_id', '=', row.id).execute();
}

/** For a resumable upload being deleted: ends its multipart upload, and its parts go. */
export async function abortParts(db: AppDb, s: UploadServices, uploadId: string): Promise<void> {
  const row = await db
    .selectFrom('uploads')
    .select(['storage_key', 'multipart_id', 'state'])
    .where('id', '=', uploadId)
    .executeTakeFirst();
  if (row?.multipart_id && row.state === 'pending') {
    await s.storage.multipart.abort(row.storage_key, row.multipart_id);
  }
}
