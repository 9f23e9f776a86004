import type { Attachment } from '@chat/protocol';
import type { AppDb } from '../../store/app-scope';
import type { StoredThumbnail } from '../../store/schema';
import { mediaUrls } from '../media-urls';

/** An attachment row with its upload's columns (null for a linked file), as views are built from. */
export type AttachmentRow = {
  message_id: string;
  type: string;
  url: string;
  name: string | null;
  mime_type: string | null;
  file_size: string | number | null;
  width: number | null;
  height: number | null;
  thumb_url: string | null;
  upload_id: string | null;
  storage_key: string | null;
  kind: string | null;
  placeholder: string | null;
  thumbnails: StoredThumbnail[] | string | null;
  duration_ms: number | null;
};

/**
 * The attachments of these messages, in their order, keyed by message id: a linked file as its
 * sender gave it, an uploaded one with URLs signed now (file and thumbnails) and its placeholder.
 * An upload whose file is gone (deleted with its message, or by its owner) is left out.
 */
export async function loadAttachments(db: AppDb, messageIds: string[]): Promise<Map<string, Attachment[]>> {
  const rows: AttachmentRow[] = await db
    .selectFrom('message_attachments as a')
    .leftJoin('uploads as u', 'u.id', 'a.upload_id')
    .select([
      'a.message_id',
      'a.type',
      'a.url',
      'a.name',
      'a.mime_type',
      'a.file_size',
      'a.width',
      'a.height',
      'a.thumb_url',
      'a.upload_id',
      'u.storage_key',
      'u.kind',
      'u.placeholder',
      'u.thumbnails',
      'u.duration_ms',
    ])
    .where('a.message_id', 'in', messageIds)
    .orderBy('a.message_id')
    .orderBy('a.position')
    .execute();
  const views = await Promise.all(rows.map(toAttachment));
  const byMessage = new Map<string, Attachment[]>();
  rows.forEach((row, i) => {
    const view = views[i];
    if (!view) return;
    const list = byMessage.get(row.message_id);
    if (list) list.push(view);
    else byMessage.set(row.message_id, [view]);
  });
  return byMessage;
}

/** One attachment as clients see it: a linked file as given, an uploaded one with URLs signed now. */
export function toAttachment(row: AttachmentRow): Attachment | null | Promise<Attachment | null> {
  const common = {
    type: row.type as Attachment['type'],
    ...(row.name !== null && { name: row.name }),
    ...(row.mime_type !== null && { mime_type: row.mime_type }),
    ...(row.file_size !== null && { file_size: Number(row.file_size) }),
    ...(row.width !== null && { width: row.width }),
    ...(row.height !== null && { height: row.height }),
  };
  if (row.upload_id === null) {
    // A row whose upload went (ON DELETE SET NULL) has an empty url: nothing left to show.
    if (row.url === '') return null;
    return { ...common, url: row.url, ...(row.thumb_url !== null && { thumb_url: row.thumb_url }) };
  }
  return signUploaded(row, common);
}

async function signUploaded(row: AttachmentRow, common: Omit<Attachment, 'url'>): Promise<Attachment | null> {
  if (row.storage_key === null) return null;
  const media = mediaUrls();
  const file = {
    contentType: row.mime_type ?? 'application/octet-stream',
    name: row.name ?? 'file',
    kind: row.kind,
  };
  const stored =
    typeof row.thumbnails === 'string'
      ? (JSON.parse(row.thumbnails) as StoredThumbnail[])
      : (row.thumbnails ?? []);
  const [main, ...thumbs] = await Promise.all([
    media.sign({ ...file, key: row.storage_key }),
    ...stored.map((t) =>
      media.sign({ key: t.key, contentType: 'image/webp', name: row.name ?? 'file', kind: 'image' }),
    ),
  ]);
  return {
    ...common,
    url: main!.url,
    upload_id: row.upload_id!,
    ...(row.placeholder !== null && { placeholder: row.placeholder }),
    ...(row.duration_ms !== null && { duration_ms: row.duration_ms }),
    ...(stored.length > 0 && {
      thumbnails: stored.map((t, i) => ({ url: thumbs[i]!.url, width: t.width, height: t.height })),
    }),
    url_expires_at: main!.expiresAt.toISOString(),
  };
}
