import type { LocalFile } from '@chat/core';
import { useEffect, useState } from 'react';
import { useStrings } from '../../context/ui-context';
import { loadOnDemandStrings } from '../../i18n/on-demand-strings';
import { fileSize } from '../../text/format';
import { FILE_ICONS, fileKind } from '../attachments/file-kind';

// This part's strings come with its code.
loadOnDemandStrings();

// Loaded on demand (see lazy-local-files.ts): only someone who attaches a file needs this.

/** A stable key per picked file (a `File` has no id; two picks of one file are two entries). */
const keys = new WeakMap<File, number>();
let nextKey = 0;
const keyOf = (file: File) => {
  if (!keys.has(file)) keys.set(file, ++nextKey);
  return keys.get(file)!;
};

/** A local URL of `file` while shown (an image only), released when it goes. */
function useObjectUrl(file: File): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!file.type.startsWith('image/') || typeof URL.createObjectURL !== 'function') return;
    const made = URL.createObjectURL(file);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [file]);
  return url;
}

/** A small picture of a file: its image, else the icon of its kind. */
function Preview({ url, type, name }: { url: string | null; type: string; name: string }) {
  return url && type.startsWith('image/') ? (
    <img className="chat-files__thumb" src={url} alt="" />
  ) : (
    <span className="chat-files__thumb chat-files__icon" aria-hidden="true">
      {FILE_ICONS[fileKind(type, name)]}
    </span>
  );
}

function PickedFile({ file, onRemove }: { file: File; onRemove(file: File): void }) {
  const t = useStrings();
  const url = useObjectUrl(file);
  return (
    <li className="chat-files__item">
      <Preview url={url} type={file.type} name={file.name} />
      <span className="chat-files__name" title={file.name}>
        {file.name}
      </span>
      <span className="chat-files__size">{fileSize(file.size)}</span>
      <button
        type="button"
        className="chat-icon-button chat-files__remove"
        aria-label={t('files.remove', { name: file.name })}
        onClick={() => onRemove(file)}
      >
        <span aria-hidden="true">×</span>
      </button>
    </li>
  );
}

export interface PickedFileListProps {
  files: readonly File[];
  onRemove(file: File): void;
}

/** The files waiting in the composer, each with a preview, its name and size, and Remove. */
export function PickedFileList({ files, onRemove }: PickedFileListProps) {
  const t = useStrings();
  return (
    <ul className="chat-files" aria-label={t('files.picked')} data-testid="chat-picked-files">
      {files.map((file) => (
        <PickedFile key={keyOf(file)} file={file} onRemove={onRemove} />
      ))}
    </ul>
  );
}

/**
 * The files of a message being sent, as its sender sees them: the local preview, the progress
 * (then "checking" while the server cleans an image), or why one failed (a refusal's own message:
 * "This type of file is not allowed").
 */
export function SendingFiles({ files }: { files: readonly LocalFile[] }) {
  const t = useStrings();
  return (
    <ul
      className="chat-files chat-files--sending"
      aria-label={t('files.sending')}
      data-testid="chat-sending-files"
    >
      {files.map((file) => {
        const percent = Math.round(file.progress * 100);
        return (
          <li key={file.id} className="chat-files__item" data-state={file.state}>
            <Preview url={file.previewUrl} type={file.type} name={file.name} />
            <span className="chat-files__name" title={file.name}>
              {file.name}
            </span>
            {file.state === 'failed' ? (
              <span className="chat-files__error">
                {file.error?.message ?? t('files.failed', { name: file.name })}
              </span>
            ) : (
              file.state !== 'uploaded' && (
                <progress
                  className="chat-files__progress"
                  max={1}
                  // No value: an indeterminate bar while the server checks the file.
                  value={file.state === 'processing' ? undefined : file.progress}
                  aria-label={t(file.state === 'processing' ? 'files.processing' : 'files.uploading', {
                    name: file.name,
                    percent,
                  })}
                />
              )
            )}
          </li>
        );
      })}
    </ul>
  );
}
