import { type ChatError, NetworkError } from '../errors';
import type { LocalFile, LocalMessage } from '../state/types';
import type { FileEntry, FileMessage, FileSendHost } from './message-files';
import type { Uploads } from './uploads';

/** Files of one message sent at once: a photo album goes up three at a time. */
const PARALLEL = 3;

const toError = (cause: unknown): ChatError =>
  cause instanceof Error && 'code' in cause
    ? (cause as ChatError)
    : new NetworkError({ code: 'network_error', retryable: true, message: String(cause), cause });

/**
 * Uploads a message's files not uploaded yet (see `uploadAll`), then hands the message to the
 * send path with them attached (`uploaded` is called first: from there it is an ordinary send,
 * whose retries are the queue's). The local previews go once the message is stored.
 */
export async function sendFiles(
  uploads: Uploads,
  message: FileMessage,
  host: FileSendHost,
  uploaded: () => void,
): Promise<LocalMessage> {
  const attachments = await uploadAll(uploads, message, host.show);
  uploaded();
  const body = message.body!;
  const sent = await host.submit({ ...body, attachments: [...(body.attachments ?? []), ...attachments] });
  revokePreviews(message);
  return sent;
}

/** A discarded message's files: the uploads made already are deleted (best effort). */
export function cancelFiles(uploads: Uploads, message: FileMessage): void {
  for (const { uploadId, resumeId } of message.entries) {
    const made = uploadId ?? resumeId;
    if (made) void uploads.delete(made).catch(() => {});
  }
  revokePreviews(message);
}

/** Lets go of the local previews of a message's files. */
export function revokePreviews(message: FileMessage): void {
  for (const { local } of message.entries) if (local.previewUrl) URL.revokeObjectURL(local.previewUrl);
}

/**
 * Uploads a message's files not uploaded yet, reporting every change; answers the attachments to
 * send (`{ upload_id }`, in the order given). If any file fails, the others still finish, then the
 * first failure is thrown (its file marked `failed` with the error).
 */
export async function uploadAll(
  uploads: Uploads,
  message: FileMessage,
  onChange: (files: readonly LocalFile[]) => void,
): Promise<{ upload_id: string }[]> {
  if (message.controller.signal.aborted) message.controller = new AbortController();
  const { signal } = message.controller;
  const report = () => onChange(message.entries.map((e) => e.local));
  const set = (entry: FileEntry, change: Partial<LocalFile>) => {
    entry.local = { ...entry.local, ...change };
    report();
  };
  const todo = message.entries.filter((e) => e.uploadId === null);
  for (const entry of todo) {
    const { error: _error, ...rest } = entry.local;
    entry.local = { ...rest, state: 'uploading', progress: 0 };
  }
  report();
  let failure: ChatError | undefined;
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const entry = todo[next++]!;
      try {
        const upload = await uploads.upload(entry.file.blob, {
          name: entry.file.name,
          type: entry.file.type,
          signal,
          resumeId: entry.resumeId,
          onStart: (id) => {
            entry.resumeId = id;
          },
          onProgress: (sent, total) => {
            const progress = total > 0 ? sent / total : 1;
            // Bytes all sent: the server checks (and processes an image) before it is ready.
            set(entry, progress >= 1 ? { progress: 1, state: 'processing' } : { progress });
          },
        });
        entry.uploadId = upload.id;
        set(entry, { progress: 1, state: 'uploaded' });
      } catch (cause) {
        const error = toError(cause);
        failure ??= error;
        set(entry, { state: 'failed', error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, todo.length) }, worker));
  if (failure) throw failure;
  return message.entries.map((e) => ({ upload_id: e.uploadId! }));
}
