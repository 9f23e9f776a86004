import type { Upload } from '@chat/protocol';
import type { Environment } from '../environment';
import type { HttpClient } from '../http-client';
import type { FileInput, UploadOptions } from './file-info';
import { resolveMediaUrl } from './media-url';

/**
 * The connected user's uploads: files sent straight to the server's storage, for a message
 * (`channel.sendMessage({ files })` uses this) or anything else (an avatar, a channel image).
 *
 * @example
 * const upload = await client.uploads.upload(input.files[0], {
 *   onProgress: (sent, total) => (bar.value = sent / total),
 * });
 * await channel.sendMessage({ text: 'look', attachments: [{ upload_id: upload.id }] });
 */
export class Uploads {
  constructor(
    private readonly deps: { http: HttpClient; env: Environment; baseUrl: string; useXhr: boolean },
  ) {}

  /**
   * Uploads a file and answers it once ready (an image: cleaned and with thumbnails). Refusals
   * are `ValidationError`s with code `upload_refused` and `details.reason` (`too_large`,
   * `blocked_type`, `type_mismatch`, `too_many_pixels`, `unsupported`, …) and a message to show.
   */
  async upload(file: FileInput, options?: UploadOptions): Promise<Upload> {
    // The transport is a chunk of its own: a chat screen that never sends a file never loads it.
    const { uploadFile } = await import('./upload-file');
    return uploadFile(this.deps, file, options);
  }

  /** An upload again, with fresh URLs. */
  async get(uploadId: string): Promise<Upload> {
    return (await this.deps.http.request('getUpload', { params: { uploadId } })).upload;
  }

  /** Removes an upload and its file (one on a message goes when the message is deleted). */
  async delete(uploadId: string): Promise<void> {
    await this.deps.http.request('deleteUpload', { params: { uploadId } });
  }

  /**
   * A file URL ready for `<img src>` or a link: server paths made absolute, anything that is not
   * http(s) refused (null).
   */
  url(url: string | null | undefined): string | null {
    return resolveMediaUrl(this.deps.baseUrl, url);
  }
}
