/** A file to upload: a `File` or `Blob` (browsers, Node), or bytes with a name. */
export type FileInput = Blob | { data: Blob | ArrayBuffer | Uint8Array; name: string; type?: string };

export interface UploadOptions {
  /** The name users see (default: the `File`'s name, else `file`). */
  name?: string;
  /** The type the file is believed to have (default: the `Blob`'s, else sniffed by the server). */
  type?: string;
  /** Called as bytes go out: `sent` of `total` (browsers report as they go, other hosts at the end). */
  onProgress?(sent: number, total: number): void;
  /** Aborts the transfer and the wait; the upload is then abandoned (the server sweeps it). */
  signal?: AbortSignal;
  /**
   * A large file (8 MB and more) goes in parts, as a resumable upload: its id, to carry on with
   * it after a failure (`resumeId`).
   */
  onStart?(uploadId: string): void;
  /** The resumable upload of this same file started before: only the parts the server lacks go. */
  resumeId?: string;
}

/** What one file is, as an upload slot asks: its bytes, name, type and size. */
export interface DescribedFile {
  blob: Blob;
  name: string;
  type: string;
  size: number;
}

const OCTETS = 'application/octet-stream';

export function describeFile(
  file: FileInput,
  options: Pick<UploadOptions, 'name' | 'type'> = {},
): DescribedFile {
  const isBlob = typeof Blob !== 'undefined' && file instanceof Blob;
  const given = isBlob ? undefined : (file as Exclude<FileInput, Blob>);
  const blob = isBlob
    ? (file as Blob)
    : given!.data instanceof Blob
      ? given!.data
      : new Blob([given!.data as BlobPart]);
  const name = options.name ?? given?.name ?? (blob as Blob & { name?: string }).name ?? 'file';
  const type = options.type ?? given?.type ?? (blob.type || OCTETS);
  return { blob, name: name || 'file', type, size: blob.size };
}
