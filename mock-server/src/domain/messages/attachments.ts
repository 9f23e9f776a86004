import type { SendMessageBody } from '@chat/protocol';
import type { AppDb } from '../../store/app-scope';

/** Stores a message's attachments in their order. */
export async function insertAttachments(
  tx: AppDb,
  appId: string,
  messageId: string,
  attachments: NonNullable<SendMessageBody['attachments']>,
): Promise<void> {
  await tx
    .insertInto('message_attachments')
    .values(
      attachments.map((a, position) => ({
        app_id: appId,
        message_id: messageId,
        position,
        type: a.type,
        url: a.url,
        name: a.name ?? null,
        mime_type: a.mime_type ?? null,
        file_size: a.file_size ?? null,
        width: a.width ?? null,
        height: a.height ?? null,
        thumb_url: a.thumb_url ?? null,
      })),
    )
    .execute();
}
