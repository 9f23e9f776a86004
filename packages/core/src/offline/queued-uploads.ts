import { NetworkError } from '../errors';
import type { LocalFile } from '../state/types';
import type { MessageFiles } from '../uploads/message-files';
import { forgetFiles, keepFiles, lostFile, queuedFile, restoreFiles } from '../uploads/queued-files';
import { revokePreviews, uploadAll } from '../uploads/upload-all';
import type { FileStorage, QueuedFile, QueueItem, QueueOperation } from './storage-adapter';

type SendOperation = Extract<QueueOperation, { type: 'message.send' }>;

export interface QueuedUploadsInit {
  storage: FileStorage;
  files: MessageFiles;
  /** Shows a send's files' progress on its message. */
  show(op: SendOperation, files: readonly LocalFile[]): void;
  /** Stores the send's files once uploaded (their `upload_id`s), so a reload does not upload them again. */
  amend(item: QueueItem, files: QueuedFile[]): Promise<void>;
  /** An upload ended: the queue should look at the send again. */
  wake(): void;
}

/** What a send answers while its files upload: "not yet", without holding the queue. */
const uploading = () => new NetworkError({ code: 'network_error', message: 'Its files are uploading' });

/**
 * The uploads of queued sends' files. The queue's turn for such a send starts its upload (or
 * finds it running) and ends at once, so a long upload holds back only the later writes of its
 * channel, not every channel's; when the upload ends the queue is woken, and the send goes with
 * the uploads attached. A failed upload is thrown at the send's next turn: a refusal fails the
 * message, a network error waits for the next try (which uploads only what failed). A chunk of
 * its own, loaded with the first send with files while the storage keeps them.
 */
export class QueuedUploads {
  private readonly running = new Map<string, Promise<void>>();
  private readonly failures = new Map<string, unknown>();

  constructor(private readonly init: QueuedUploadsInit) {}

  /** Whether the send's files are all uploaded; if not, starts what is needed and throws "not yet" or the last failure. */
  ready(item: QueueItem, op: SendOperation): boolean {
    if (!op.files?.some((f) => f.upload_id === undefined)) return true;
    const id = op.message.client_msg_id;
    if (this.failures.has(id)) {
      const failure = this.failures.get(id);
      this.failures.delete(id);
      throw failure;
    }
    if (!this.running.has(id)) {
      const upload = this.upload(item, op).then(
        () => this.finish(id),
        (error: unknown) => {
          this.failures.set(id, error);
          this.finish(id);
        },
      );
      this.running.set(id, upload);
    }
    throw uploading();
  }

  /** Stores the picked files of a send about to be queued; answers what the queued send names. */
  keep(clientMsgId: string): Promise<QueuedFile[]> {
    return keepFiles(this.init.storage, this.init.files.get(clientMsgId)!);
  }

  /** A queued send's files after a reload, back in memory (bytes from the storage), as its message shows them. */
  async restore(op: SendOperation): Promise<readonly LocalFile[]> {
    const { files, storage } = this.init;
    const id = op.message.client_msg_id;
    if (!files.has(id)) files.restore(id, await restoreFiles(storage, op.files ?? []));
    return files.get(id)!.entries.map((e) => e.local);
  }

  /** The send went or was discarded: its bytes leave the storage, its previews the memory. */
  forget(op: SendOperation): void {
    const id = op.message.client_msg_id;
    this.failures.delete(id);
    const message = this.init.files.take(id);
    if (message) revokePreviews(message);
    void forgetFiles(this.init.storage, op.files ?? []);
  }

  private finish(id: string): void {
    this.running.delete(id);
    this.init.wake();
  }

  private async upload(item: QueueItem, op: SendOperation): Promise<void> {
    const { files } = this.init;
    const id = op.message.client_msg_id;
    const queued = op.files!;
    await this.restore(op);
    const message = files.get(id)!;
    const lost = lostFile(message);
    if (lost) throw lost;
    // What went up is kept, also when another file failed: a reload then sends only the rest. A
    // large file's resumable upload is kept as soon as it starts, for a reload in the middle.
    const save = () => this.init.amend(item, message.entries.map(queuedFile));
    const saved = new Set(queued.map((f) => f.resumable_id));
    try {
      await uploadAll(files.uploads, message, (shown) => {
        this.init.show(op, shown);
        const started = message.entries.filter((e) => e.resumeId && !saved.has(e.resumeId));
        for (const e of started) saved.add(e.resumeId);
        if (started.length) void save();
      });
    } finally {
      await save();
    }
  }
}
