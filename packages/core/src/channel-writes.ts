import type { AckResult, Message, UserRef } from '@chat/protocol';
import type { ChannelContext } from './channel-context';
import { ChatError, NetworkError } from './errors';
import { frameOf, type QueueAck } from './offline/queue-frames';
import type { QueueOperation } from './offline/storage-adapter';
import { patchAnyMessage, putLocalMessage, putMessage } from './state/channel-reducer';
import { createLocalMessage, type SendBody, type SendMessageInput } from './state/local-message';
import { applyOptimisticWrite, type MessageWrite } from './state/optimistic';
import type { ChannelSnapshot, LocalFile, LocalMessage } from './state/types';
import type { WritableStore } from './store';
import type { MessageFiles } from './uploads/message-files';

/** What the writes of a channel need from its handle. */
export interface WriteHost {
  readonly cid: string;
  readonly ctx: ChannelContext;
  readonly store: WritableStore<ChannelSnapshot>;
  ownUser(): UserRef;
}

const toError = (cause: unknown): ChatError =>
  cause instanceof ChatError
    ? cause
    : new NetworkError({ code: 'network_error', message: String(cause), cause });

/**
 * A channel's writes: optimistic sends with retry and discard, and edits, deletes and reactions
 * shown at once. Writes go through the durable sync queue when the client has one (so they
 * survive going offline and reloads), else straight over the socket.
 */
export class ChannelWrites {
  /** The body each unsent message was sent with, for `retry` when there is no queue. */
  private readonly outbox = new Map<string, SendBody>();

  constructor(private readonly host: WriteHost) {}

  private get store() {
    return this.host.store;
  }

  private now(): string {
    return new Date(this.host.ctx.env.clock.now()).toISOString();
  }

  send(input: SendMessageInput): Promise<LocalMessage> {
    const { ctx, cid } = this.host;
    const clientMsgId = ctx.env.randomUUID();
    const files = input.files?.length && this.files.add(clientMsgId, input.files, ctx.env.randomUUID);
    const context = { cid, clientMsgId, user: this.host.ownUser(), now: this.now(), ...(files && { files }) };
    const { local, body } = createLocalMessage(input, context);
    this.store.setState((s) => putLocalMessage(s, local));
    if (!files) return this.submit(body);
    // With a storage that keeps files, they wait in the queue with the message (offline, a
    // reload); else they upload now and the message is queued once they are.
    const queued = ctx.sync?.()?.submitFiles(cid, body);
    return queued ? this.queued(queued, clientMsgId) : this.sendFiles(clientMsgId, body);
  }

  /** Sends a message body: through the durable queue when there is one, else over the socket. */
  private submit(body: SendBody): Promise<LocalMessage> {
    const { ctx, cid } = this.host;
    const sync = ctx.sync?.();
    if (sync)
      return this.queued(sync.submit({ type: 'message.send', cid, message: body }), body.client_msg_id);
    this.outbox.set(body.client_msg_id, body);
    return this.deliver(body.client_msg_id);
  }

  /**
   * Uploads the files of a message not uploaded yet (the message shows their progress), then
   * sends it with them attached. A file that fails fails the message (Retry uploads only what
   * failed; Discard cancels them all).
   */
  private async sendFiles(clientMsgId: string, body?: SendBody): Promise<LocalMessage> {
    const { files } = this;
    const show = (shown: readonly LocalFile[]) => this.showFiles(clientMsgId, shown);
    try {
      return await files.send(clientMsgId, { show, submit: (b) => this.submit(b) }, body);
    } catch (cause) {
      const error = toError(cause);
      // Still waiting for its files (not discarded, not handed to the send path): failed.
      if (files.has(clientMsgId)) this.markFailed(clientMsgId, error);
      throw error;
    }
  }

  /** The uploader of messages' files (every client's channels have one). */
  private get files(): MessageFiles {
    return this.host.ctx.files!;
  }

  /** Shows the progress of a message's files. */
  showFiles(clientMsgId: string, files: readonly LocalFile[]): void {
    this.store.setState((s) => patchAnyMessage(s, clientMsgId, (m) => ({ ...m, files })));
  }

  /** Shows a send that waits in the durable queue (after a reload), `failed` when `error` is given. */
  restoreUnsent(body: SendBody, createdAt: string, error?: ChatError, files?: readonly LocalFile[]): void {
    const input = {
      ...body,
      parentId: body.parent_id,
      quotedMessageId: body.quoted_message_id,
      mentionedUserIds: body.mentioned_user_ids,
    };
    const context = {
      cid: this.host.cid,
      clientMsgId: body.client_msg_id,
      user: this.host.ownUser(),
      now: createdAt,
      ...(files && { files }),
    };
    const { local } = createLocalMessage(input, context);
    this.store.setState((s) => putLocalMessage(s, error ? { ...local, status: 'failed', error } : local));
  }

  /** Shows an unsent message as failed (the queue gave up on it). */
  markFailed(clientMsgId: string, error: ChatError): void {
    this.store.setState((s) =>
      patchAnyMessage(s, clientMsgId, (m) => (m.status === 'sent' ? m : { ...m, status: 'failed', error })),
    );
  }

  /** The queue applies the ack (or marks the message failed); this gives the caller the result. */
  private async queued(done: Promise<QueueAck>, clientMsgId: string): Promise<LocalMessage> {
    try {
      const { message } = (await done) as AckResult<'message.send'>;
      return { ...message, status: 'sent' };
    } catch (cause) {
      const error = toError(cause);
      this.markFailed(clientMsgId, error);
      throw error;
    }
  }

  private async deliver(clientMsgId: string): Promise<LocalMessage> {
    const op = { type: 'message.send' as const, cid: this.host.cid, message: this.outbox.get(clientMsgId)! };
    try {
      const result = await this.host.ctx.connection.request(op);
      this.outbox.delete(clientMsgId);
      this.applyAck(op, result);
      return { ...result.message, status: 'sent' };
    } catch (cause) {
      const error = toError(cause);
      this.markFailed(clientMsgId, error);
      throw error;
    }
  }

  /** Sends a failed message again; one waiting in the queue to retry is tried at once. */
  retry(id: string): Promise<LocalMessage> {
    const message = this.find(id);
    const clientMsgId = message && message.status !== 'sent' ? message.client_msg_id : null;
    // A queued send (its files too, when they wait in the queue) is the queue's to retry.
    const retried = clientMsgId ? this.host.ctx.sync?.()?.retry(clientMsgId) : undefined;
    if (!retried && clientMsgId && message?.status === 'failed' && this.host.ctx.files?.has(clientMsgId)) {
      this.store.setState((s) =>
        patchAnyMessage(s, id, (m) => ({ ...m, status: 'sending', error: undefined })),
      );
      return this.sendFiles(clientMsgId);
    }
    // Without a queue only a failed send is resent: a `sending` one is still in flight.
    const resend = message?.status === 'failed' && !!clientMsgId && this.outbox.has(clientMsgId);
    if (!clientMsgId || (!retried && !resend))
      return Promise.reject(new ChatError({ code: 'validation_failed', message: `No failed message ${id}` }));
    if (message?.status === 'failed')
      this.store.setState((s) =>
        patchAnyMessage(s, id, (m) => ({ ...m, status: 'sending', error: undefined })),
      );
    return retried ? this.queued(retried, clientMsgId) : this.deliver(clientMsgId);
  }

  discard(id: string): void {
    const message = this.find(id);
    if (!message || message.status === 'sent') return;
    if (message.client_msg_id) {
      this.outbox.delete(message.client_msg_id);
      this.host.ctx.files?.cancel(message.client_msg_id);
      this.host.ctx.sync?.()?.discard(message.client_msg_id);
    }
    this.store.setState((s) => patchAnyMessage(s, id, () => undefined));
  }

  find(id: string): LocalMessage | undefined {
    const s = this.store.getSnapshot();
    return [s.messages, ...Object.values(s.threads)].flat().find((m) => m.id === id);
  }

  /**
   * An edit, delete or reaction: shown at once, then performed. If it fails for good the message
   * goes back to how it was (unless something newer replaced it meanwhile).
   */
  async writeMessage(op: MessageWrite): Promise<Message> {
    const before = this.find(op.message_id);
    let shown: LocalMessage | undefined;
    if (before?.status === 'sent') {
      shown = applyOptimisticWrite(before, op, this.now());
      const optimistic = shown;
      this.store.setState((s) => patchAnyMessage(s, op.message_id, () => optimistic));
    }
    try {
      return (await this.write<{ message: Message }>(op)).message;
    } catch (error) {
      if (before && shown)
        this.store.setState((s) => patchAnyMessage(s, op.message_id, (m) => (m === shown ? before : m)));
      throw error;
    }
  }

  /** A write: through the durable queue when there is one, else straight over the socket. */
  async write<R>(op: QueueOperation): Promise<R> {
    const sync = this.host.ctx.sync?.();
    if (sync) return (await sync.submit(op)) as R;
    const result = await this.host.ctx.connection.request(frameOf(op));
    this.applyAck(op, result);
    return result as R;
  }

  /** Puts the server's copy of a message in place (e.g. after a pin). */
  put(message: Message): void {
    this.store.setState((s) => putMessage(s, message));
  }

  /** Applies the server's answer to a write (from the queue, or a direct request). */
  applyAck<T extends QueueOperation>(op: T, result: QueueAck<T['type']>): void {
    const { ctx, cid } = this.host;
    if (op.type === 'read.mark') {
      const { read } = result as AckResult<'read.mark'>;
      this.store.setState((s) => ({
        ...s,
        read: { ...s.read, [read.user_id]: read },
        unreadCount: read.unread_count,
      }));
      ctx.onUnreadChanged(cid, read.unread_count);
      return;
    }
    const { message } = result as AckResult<'message.send'>;
    if (op.type === 'reaction.add' || op.type === 'reaction.remove') {
      const type = op.reaction_type;
      const own = (current: readonly string[]) =>
        op.type === 'reaction.add'
          ? [...current.filter((t) => t !== type), type]
          : current.filter((t) => t !== type);
      this.store.setState((s) => putMessage(s, message, own));
      return;
    }
    this.put(message);
    if (op.type === 'message.send') ctx.onMessageSent(message);
  }
}
