import type { SendBody } from '../state/local-message';
import type { LocalFile, LocalMessage } from '../state/types';
import { type DescribedFile, describeFile, type FileInput } from './file-info';
import type { Uploads } from './uploads';

/** One file of a message being sent: what is uploaded, what is shown, and the upload once made. */
export interface FileEntry {
  file: DescribedFile;
  local: LocalFile;
  uploadId: string | null;
  /** A large file's resumable upload, once started: a retry carries on with it. */
  resumeId?: string | undefined;
}

/** The files of one message being sent. */
export interface FileMessage {
  entries: FileEntry[];
  controller: AbortController;
  /** The message to send once they are uploaded. */
  body?: SendBody | undefined;
}

/** What sending a message with files needs from its channel. */
export interface FileSendHost {
  /** Shows the files' progress on the optimistic message. */
  show(files: readonly LocalFile[]): void;
  /** Sends the message once its files are uploaded (as any message is sent). */
  submit(body: SendBody): Promise<LocalMessage>;
}

/**
 * The files of messages being sent: each uploaded once (a retry sends only those that failed),
 * with its progress and a local preview for the optimistic message, cancelled with the message.
 * The uploading itself is a chunk of its own, loaded with the first file sent. Lives in memory;
 * the durable queue keeps a queued send's bytes in the storage and puts them back after a reload
 * (`restore`).
 */
export class MessageFiles {
  private readonly pending = new Map<string, FileMessage>();

  constructor(readonly uploads: Uploads) {}

  /** The local view of `files` for the optimistic message, remembered under `clientMsgId`. */
  add(clientMsgId: string, files: readonly FileInput[], newId: () => string): LocalFile[] {
    const entries = files.map((input): FileEntry => {
      const file = describeFile(input);
      const shown = /^(image|video)\//.test(file.type) && typeof URL.createObjectURL === 'function';
      const { name, type, size } = file;
      const previewUrl = shown ? URL.createObjectURL(file.blob) : null;
      return {
        file,
        local: { id: newId(), name, type, size, previewUrl, progress: 0, state: 'uploading' },
        uploadId: null,
      };
    });
    this.pending.set(clientMsgId, { entries, controller: new AbortController() });
    return entries.map((e) => e.local);
  }

  has(clientMsgId: string): boolean {
    return this.pending.has(clientMsgId);
  }

  get(clientMsgId: string): FileMessage | undefined {
    return this.pending.get(clientMsgId);
  }

  /** Puts back the files of a send the queue kept across a reload. */
  restore(clientMsgId: string, message: FileMessage): void {
    this.pending.set(clientMsgId, message);
  }

  /** Forgets a message's files (sent, or discarded): answers them. */
  take(clientMsgId: string): FileMessage | undefined {
    const message = this.pending.get(clientMsgId);
    this.pending.delete(clientMsgId);
    return message;
  }

  /**
   * Uploads the message's files not uploaded yet (all of them on the first call, with `body`;
   * those that failed on a retry), then submits the message with them attached. If any file
   * fails, the others still finish, then the first failure is thrown.
   */
  async send(clientMsgId: string, host: FileSendHost, body?: SendBody): Promise<LocalMessage> {
    const message = this.pending.get(clientMsgId)!;
    message.body ??= body;
    return (await import('./upload-all')).sendFiles(this.uploads, message, host, () =>
      this.pending.delete(clientMsgId),
    );
  }

  /**
   * The message was discarded: uploads in flight stop, and the ones already made are deleted
   * (best effort; the server sweeps what is left).
   */
  cancel(clientMsgId: string): void {
    const message = this.pending.get(clientMsgId);
    if (!message) return;
    this.pending.delete(clientMsgId);
    message.controller.abort();
    void import('./upload-all').then(
      (m) => m.cancelFiles(this.uploads, message),
      () => {},
    );
  }
}
