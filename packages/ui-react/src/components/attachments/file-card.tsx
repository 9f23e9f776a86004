import { useStrings } from '../../context/ui-context';
import type { Attachment } from '../../core-types';
import { fileSize } from '../../text/format';
import { FILE_ICONS, fileKind, splitName } from './file-kind';

/**
 * A file as a card that downloads it: an icon of its kind, its name (cut in the middle when long,
 * so the extension stays), its size.
 */
export function FileCard({ file }: { file: Attachment }) {
  const t = useStrings();
  const name = file.name || t('attachment.file');
  const [start, end] = splitName(name);
  const kind = fileKind(file.mime_type, file.name);
  return (
    <a
      className="chat-file"
      href={file.url}
      download={file.name ?? ''}
      target="_blank"
      rel="noopener noreferrer"
      title={name}
      data-kind={kind}
      data-testid="chat-attachment-file"
    >
      <span className="chat-file__icon" aria-hidden="true">
        {FILE_ICONS[kind]}
      </span>
      <span className="chat-file__name">
        <span className="chat-file__start">{start}</span>
        <span className="chat-file__end">{end}</span>
      </span>
      {file.file_size !== undefined && <span className="chat-file__size">{fileSize(file.file_size)}</span>}
    </a>
  );
}
