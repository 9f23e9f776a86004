import type { AckResult } from '@chat/protocol';
import type { RequestFrame } from '../connection/socket';
import type { QueueOperation, QueueOperationType } from './storage-adapter';

/** What the server acknowledges a queued write with (a message, or the read state). */
export type QueueAck<T extends QueueOperationType = QueueOperationType> = AckResult<T>;

/**
 * The socket frame of a queued operation: the queue keeps `cid` on every item, the wire only on
 * some; a send's queued files go as the attachments they were uploaded as.
 */
export function frameOf(op: QueueOperation): Extract<RequestFrame, { type: QueueOperationType }> {
  if (op.type === 'message.send') {
    const { files, ...frame } = op;
    if (!files?.length) return frame;
    const uploaded = files.map((f) => ({ upload_id: f.upload_id! }));
    return {
      ...frame,
      message: { ...frame.message, attachments: [...(frame.message.attachments ?? []), ...uploaded] },
    };
  }
  if (op.type === 'read.mark') return op;
  const { cid: _cid, ...frame } = op;
  return frame;
}
