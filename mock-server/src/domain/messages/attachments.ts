import type { Attachment, AttachmentInput, UploadRefusal } from '@chat/protocol';
import { recordAppEvent } from '../../events/app-events';
import { ChatError, notFound } from '../../kernel/errors';
import type { AppDb } from '../../store/app-scope';
import { toAttachment } from './attachment-views';

const refused = (reason: UploadRefusal, message: string) =>
  new ChatError('upload_refused', message, { reason });

/**
 * Stores a message's attachments in their order and answers them as clients see them (built from
 * the rows in hand: the send reads nothing back). An uploaded file (`{ upload_id }`) must be an
 * upload of the message's author in this application (another's, or another app's, is not
 * found), ready, and on no other message; one statement checks that and takes it for this
 * message (its row locked, so two sends racing for one upload cannot both have it). Only when it
 * takes fewer than asked does a second read say why.
 */
export async function insertAttachments(
  tx: AppDb,
  appId: string,
  messageId: string,
  authorId: string,
  attachments: readonly AttachmentInput[],
): Promise<Attachment[]> {
  const uploadIds = attachments.flatMap((a) => (a.upload_id ? [a.upload_id] : []));
  if (new Set(uploadIds).size !== uploadIds.length) {
    throw new ChatError('validation_failed', 'An upload can be attached once', {
      issues: [{ path: ['attachments'], message: 'The same upload_id is given twice' }],
    });
  }
  const uploads = uploadIds.length
    ? await tx
        .updateTable('uploads')
        .set({ message_id: messageId })
        .where('id', 'in', uploadIds)
        .where('app_user_id', '=', authorId)
        .where('state', '=', 'ready')
        .where((eb) => eb.or([eb('message_id', 'is', null), eb('message_id', '=', messageId)]))
        .returning([
          'id',
          'kind',
          'name',
          'mime_type',
          'size',
          'width',
          'height',
          'storage_key',
          'placeholder',
          'thumbnails',
          'duration_ms',
        ])
        .execute()
    : [];
  if (uploads.length < uploadIds.length) await refuseUnclaimed(tx, uploadIds, uploads, authorId, messageId);
  const byId = new Map(uploads.map((u) => [u.id, u]));
  const rows = attachments.map((a, position) => {
    const upload = a.upload_id ? byId.get(a.upload_id)! : null;
    return upload
      ? {
          app_id: appId,
          message_id: messageId,
          position,
          type: upload.kind ?? 'file',
          // Signed each time the message is read (attachment-views.ts).
          url: '',
          name: upload.name,
          mime_type: upload.mime_type,
          file_size: upload.size,
          width: upload.width,
          height: upload.height,
          thumb_url: null,
          upload_id: upload.id,
        }
      : {
          app_id: appId,
          message_id: messageId,
          position,
          type: a.type!,
          url: a.url!,
          name: a.name ?? null,
          mime_type: a.mime_type ?? null,
          file_size: a.file_size ?? null,
          width: a.width ?? null,
          height: a.height ?? null,
          thumb_url: a.thumb_url ?? null,
          upload_id: null,
        };
  });
  await tx.insertInto('message_attachments').values(rows).execute();
  const views = await Promise.all(
    rows.map((row) => {
      const upload = row.upload_id ? byId.get(row.upload_id)! : null;
      return toAttachment({
        ...row,
        storage_key: upload?.storage_key ?? null,
        kind: upload?.kind ?? null,
        placeholder: upload?.placeholder ?? null,
        thumbnails: upload?.thumbnails ?? null,
        duration_ms: upload?.duration_ms ?? null,
      });
    }),
  );
  return views.filter((view): view is Attachment => view !== null);
}

/** Says why an upload asked for was not taken (not the author's, refused, not ready, on another message). */
async function refuseUnclaimed(
  tx: AppDb,
  uploadIds: readonly string[],
  claimed: readonly { id: string }[],
  authorId: string,
  messageId: string,
): Promise<never> {
  const taken = new Set(claimed.map((u) => u.id));
  const missing = uploadIds.filter((id) => !taken.has(id));
  const found = await tx
    .selectFrom('uploads')
    .select(['id', 'state', 'message_id'])
    .where('id', 'in', missing)
    .where('app_user_id', '=', authorId)
    .execute();
  const byId = new Map(found.map((u) => [u.id, u]));
  for (const id of missing) {
    const upload = byId.get(id);
    if (!upload) throw notFound(`Upload ${id}`);
    if (upload.message_id !== null && upload.message_id !== messageId)
      throw refused('attached', `Upload ${id} is already on another message; upload the file again`);
    if (upload.state === 'refused') throw refused('unsupported', `Upload ${id} was refused`);
    throw refused('not_ready', `Upload ${id} is not ready yet (${upload.state}); attach it once it is`);
  }
  throw notFound('Upload');
}

/**
 * Lets go of the uploads on a message that are not in `keep` (all of them when it is deleted):
 * their files and rows are removed by a job (the request goes through the outbox, in this
 * transaction, so a crash cannot leave a deleted message's photo behind).
 */
export async function releaseUploads(
  tx: AppDb,
  appId: string,
  messageId: string,
  keep: readonly string[] = [],
): Promise<void> {
  let query = tx.selectFrom('uploads').select('id').where('message_id', '=', messageId);
  if (keep.length) query = query.where('id', 'not in', keep);
  const gone = (await query.execute()).map((u) => u.id);
  if (gone.length === 0) return;
  await tx.deleteFrom('message_attachments').where('upload_id', 'in', gone).execute();
  await recordAppEvent(tx, appId, {
    type: 'internal.uploads_delete',
    created_at: new Date().toISOString(),
    upload_ids: gone,
  });
}
