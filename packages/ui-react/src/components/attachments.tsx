import { replaceable } from '../context/components';
import { useStrings } from '../context/ui-context';
import type { Attachment } from '../core-types';
import { fileSize } from '../text/format';
import { safeHttpUrl } from '../text/linkify';

export interface AttachmentsProps {
  attachments: readonly Attachment[];
}

// Images get their box before they load (width/height from the attachment), so a row's height
// does not change when the picture arrives and the list does not jump.
const MAX_IMAGE = 320;

function imageBox(attachment: Attachment): { width?: number; height?: number } {
  const { width, height } = attachment;
  if (!width || !height) return {};
  const scale = Math.min(1, MAX_IMAGE / Math.max(width, height));
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
}

/** Images inline (opening the full picture), other files as download links with name and size. */
function DefaultAttachments({ attachments }: AttachmentsProps) {
  const t = useStrings();
  return (
    <ul className="chat-attachments">
      {attachments.map((attachment, index) => {
        const url = safeHttpUrl(attachment.url);
        if (!url) return null;
        const name =
          attachment.name ?? t(attachment.type === 'image' ? 'attachment.image' : 'attachment.file');
        const key = `${index}-${url}`;
        if (attachment.type === 'image') {
          const thumb = safeHttpUrl(attachment.thumb_url) ?? url;
          return (
            <li key={key} className="chat-attachments__item chat-attachments__item--image">
              <a href={url} target="_blank" rel="noopener noreferrer" data-testid="chat-attachment-image">
                <img
                  className="chat-attachments__image"
                  src={thumb}
                  alt={name}
                  loading="lazy"
                  {...imageBox(attachment)}
                />
              </a>
            </li>
          );
        }
        return (
          <li key={key} className="chat-attachments__item chat-attachments__item--file">
            <a
              className="chat-attachments__file"
              href={url}
              target="_blank"
              rel="noopener noreferrer"
              download={attachment.name}
              data-testid="chat-attachment-file"
            >
              <span className="chat-attachments__file-icon" aria-hidden="true">
                📄
              </span>
              <span className="chat-attachments__file-name">{name}</span>
              {attachment.file_size !== undefined && (
                <span className="chat-attachments__file-size">{fileSize(attachment.file_size)}</span>
              )}
            </a>
          </li>
        );
      })}
    </ul>
  );
}

export { DefaultAttachments };
export const Attachments = replaceable('Attachments', DefaultAttachments);
