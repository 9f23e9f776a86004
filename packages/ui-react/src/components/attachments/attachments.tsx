import { useChat } from '@chat/react';
import { useMemo } from 'react';
import { replaceable } from '../../context/components';
import type { Attachment } from '../../core-types';
import { FileCard } from './file-card';
import { ImageGrid } from './image-grid';
import { MediaPlayer } from './media';

export interface AttachmentsProps {
  attachments: readonly Attachment[];
}

/**
 * The attachments with every URL as a page may use it (`client.uploads.url`: server paths made
 * absolute against the client's server, http(s) kept): one whose file URL is anything else
 * (`javascript:`, `data:`, `//host`) is left out, and such a thumbnail is dropped.
 */
export function resolveAttachments(
  attachments: readonly Attachment[],
  resolve: (url: string | null | undefined) => string | null,
): Attachment[] {
  return attachments.flatMap((attachment) => {
    const url = resolve(attachment.url);
    if (!url) return [];
    const thumbnails = attachment.thumbnails?.flatMap((thumb) => {
      const thumbUrl = resolve(thumb.url);
      return thumbUrl ? [{ ...thumb, url: thumbUrl }] : [];
    });
    return [{ ...attachment, url, thumb_url: resolve(attachment.thumb_url) ?? undefined, thumbnails }];
  });
}

/**
 * A message's attachments: its images as one grid (see `ImageGrid`), then each video and sound
 * with the browser's player, and each other file as a card that downloads it.
 */
function DefaultAttachments({ attachments }: AttachmentsProps) {
  const { client } = useChat();
  const all = useMemo(
    () => resolveAttachments(attachments, (url) => client.uploads.url(url)),
    [attachments, client],
  );
  const images = all.filter((attachment) => attachment.type === 'image');
  const others = all.filter((attachment) => attachment.type !== 'image');
  return (
    <div className="chat-attachments">
      {images.length > 0 && <ImageGrid images={images} />}
      {others.length > 0 && (
        <ul className="chat-attachments__list">
          {others.map((attachment, index) => (
            <li key={attachment.upload_id ?? `${index}-${attachment.url}`} className="chat-attachments__item">
              {attachment.type === 'video' || attachment.type === 'audio' ? (
                <MediaPlayer media={attachment} />
              ) : (
                <FileCard file={attachment} />
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export { DefaultAttachments };
export const Attachments = replaceable('Attachments', DefaultAttachments);
