import { ChatError } from '../errors';
import type { FileStorage, QueuedFile } from '../offline/storage-adapter';
import type { FileEntry, FileMessage } from './message-files';

/**
 * The files of sends that wait in the durable queue: their bytes go to the storage when the
 * message is queued, and come back from it after a reload. Loaded with the first such send.
 */

const shows = (type: string) => /^(image|video)\//.test(type) && typeof URL.createObjectURL === 'function';

/**
 * Keeps a message's picked files in the storage and answers what the queued send names. Best
 * effort: a storage that refuses (its quota) leaves the bytes in memory only, so the message
 * still goes, but a reload before it does loses them (and says so).
 */
export async function keepFiles(storage: FileStorage, message: FileMessage): Promise<QueuedFile[]> {
  await Promise.all(message.entries.map((e) => storage.put(e.local.id, e.file.blob).catch(() => {})));
  return message.entries.map((entry) => queuedFile(entry));
}

/** What the queued send keeps of one file: what it is, and how far its upload went. */
export function queuedFile({ local, file, uploadId, resumeId }: FileEntry): QueuedFile {
  return {
    id: local.id,
    name: file.name,
    type: file.type,
    size: file.size,
    ...(uploadId && { upload_id: uploadId }),
    ...(resumeId && { resumable_id: resumeId }),
  };
}

/**
 * A queued send's files as they were before a reload: their bytes from the storage, local
 * previews again, and those uploaded already marked so. A file whose bytes are gone (the
 * browser evicted them) fails the message for good: it cannot be uploaded any more.
 */
export async function restoreFiles(storage: FileStorage, files: readonly QueuedFile[]): Promise<FileMessage> {
  const entries = await Promise.all(
    files.map(async (f): Promise<FileEntry> => {
      const uploaded = f.upload_id !== undefined;
      const blob = uploaded ? undefined : await storage.get(f.id).catch(() => undefined);
      const lost = !uploaded && !blob;
      const { id, name, type, size } = f;
      return {
        file: { blob: blob ?? new Blob([]), name, type, size },
        uploadId: f.upload_id ?? null,
        resumeId: f.resumable_id,
        local: {
          id,
          name,
          type,
          size,
          previewUrl: blob && shows(type) ? URL.createObjectURL(blob) : null,
          progress: uploaded ? 1 : 0,
          state: lost ? 'failed' : uploaded ? 'uploaded' : 'uploading',
          ...(lost && { error: lostError(name) }),
        },
      };
    }),
  );
  return { entries, controller: new AbortController() };
}

/** The first file whose bytes were lost, as the error that fails its message. */
export function lostFile(message: FileMessage): ChatError | undefined {
  return message.entries.find((e) => e.local.error?.code === 'file_lost')?.local.error;
}

const lostError = (name: string) =>
  new ChatError({
    code: 'file_lost',
    message: `The file ${name} is no longer stored on this device; discard the message and send it again`,
  });

/** Removes the stored bytes of a queued send's files (sent or discarded). */
export function forgetFiles(storage: FileStorage, files: readonly QueuedFile[]): Promise<void> {
  return Promise.all(files.map((f) => storage.delete(f.id).catch(() => {}))).then(() => {});
}
