import type { ChatError } from '../errors';
import type { SendBody } from '../state/local-message';
import type { ChannelSnapshot, LocalFile } from '../state/types';
import type { ReadableStore } from '../store';
import type { QueueAck } from './queue-frames';
import type { QueueOperation } from './storage-adapter';

/**
 * What the offline layer needs of a channel handle: its state to persist, and a way to show what
 * the queue does with its writes. (The `Channel` class implements it; the offline layer never
 * imports the class.)
 */
export interface SyncedChannel {
  readonly cid: string;
  readonly state: ReadableStore<ChannelSnapshot>;
  /** Shows a send that waits in the durable queue (after a reload), `failed` when `error` is given. */
  restoreUnsent(body: SendBody, createdAt: string, error?: ChatError, files?: readonly LocalFile[]): void;
  /** Shows an unsent message as failed (the queue gave up on it). */
  markFailed(clientMsgId: string, error: ChatError): void;
  /** Shows the progress of a queued send's files. */
  showFiles(clientMsgId: string, files: readonly LocalFile[]): void;
  /** Applies the server's answer to a write. */
  applyAck<T extends QueueOperation>(op: T, result: QueueAck<T['type']>): void;
}
