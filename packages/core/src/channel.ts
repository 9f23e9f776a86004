import type {
  ChannelEvent,
  ChannelType,
  Member,
  Message,
  ReadState,
  ChannelState as ServerChannelState,
} from '@chat/protocol';
import type { ChannelContext } from './channel-context';
import type { RequestFrame } from './connection/socket';
import { ChatError, NetworkError } from './errors';
import { frameOf } from './offline/offline-sync';
import type { CachedChannel, QueueOperation } from './offline/storage-adapter';
import {
  addOlderMessages,
  applyChannelEvent,
  clearTyping,
  emptyChannelState,
  loadChannelState,
  patchAnyMessage,
  putLocalMessage,
  putMessage,
  setThread,
} from './state/channel-reducer';
import { createLocalMessage, type SendBody, type SendMessageInput } from './state/local-message';
import type { ChannelSnapshot, LocalMessage } from './state/types';
import { createStore, type ReadableStore } from './store';
import { TYPING_THROTTLE_MS, TypingExpiry } from './typing-indicator';

const DEFAULT_MESSAGE_LIMIT = 30;

/**
 * A handle on one channel: its state store, realtime updates while watched, and its actions.
 * `client.channel(type, id)` returns the same handle for the same cid; nothing is fetched until
 * `watch()` (or another call).
 *
 * @example
 * const channel = client.channel('team', 'general');
 * await channel.watch();
 * channel.state.subscribe(() => render(channel.state.getSnapshot().messages));
 * await channel.sendMessage({ text: 'hi' });
 */
export class Channel {
  readonly cid: string;
  private readonly store: ReturnType<typeof createStore<ChannelSnapshot>>;
  /** The channel's state; see `ChannelSnapshot`. */
  readonly state: ReadableStore<ChannelSnapshot>;
  private watching = false;
  private messageLimit = DEFAULT_MESSAGE_LIMIT;
  /** Events that arrived while a (re)load was in flight; applied after it. */
  private buffer: ChannelEvent[] | undefined;
  private resyncing: Promise<void> | undefined;
  private readonly typists: TypingExpiry;
  private typingSentAt: number | undefined;
  /** The body each unsent message was sent with, for `retryMessage`. */
  private readonly outbox = new Map<string, SendBody>();
  /** Loaded from the offline cache: the first watch resumes from its seq instead of loading fresh. */
  private fromCache = false;

  constructor(
    readonly type: ChannelType,
    readonly id: string,
    private readonly ctx: ChannelContext,
  ) {
    this.cid = `${type}:${id}`;
    this.store = createStore(emptyChannelState(this.cid));
    this.state = this.store;
    this.typists = new TypingExpiry(ctx.env.clock, (userId) =>
      this.store.setState((s) => clearTyping(s, userId)),
    );
  }

  /** Whether the channel receives realtime events (after `watch()`, until `unwatch()`). */
  get isWatching(): boolean {
    return this.watching;
  }

  private get params() {
    return { type: this.type, id: this.id };
  }

  /**
   * Loads the channel and subscribes to its events. Called again (or after a reconnect), it
   * resumes from the last applied seq: the missed events are applied, or the state is replaced
   * when the server cannot replay them.
   */
  async watch(options: { messageLimit?: number } = {}): Promise<ChannelSnapshot> {
    if (options.messageLimit !== undefined) this.messageLimit = options.messageLimit;
    // The first watch loads fresh (a state seeded by a query may hold too few messages).
    const resume = this.watching || this.fromCache;
    this.fromCache = false;
    this.watching = true;
    await this.load(resume);
    return this.store.getSnapshot();
  }

  /** Stops realtime events for this channel. */
  async unwatch(): Promise<void> {
    this.watching = false;
    this.typists.clear();
    await this.ctx.connection.request({ type: 'channel.unwatch', cid: this.cid });
  }

  /** Forgets the watch without telling the server (the connection is gone). */
  detach(): void {
    this.watching = false;
    this.typingSentAt = undefined;
    this.typists.clear();
    this.store.setState((s) => (Object.keys(s.typing).length ? { ...s, typing: {} } : s));
  }

  /** Resumes after a reconnect or a detected gap; one at a time. */
  resync(): Promise<void> {
    if (!this.watching) return Promise.resolve();
    return this.load(true);
  }

  /** Loads the channel: from the last applied seq (`resume`), or fresh. */
  private load(resume: boolean): Promise<void> {
    if (this.resyncing) return this.resyncing;
    this.buffer = [];
    this.store.setState((s) => ({ ...s, loading: true }));
    const since = resume ? this.store.getSnapshot().lastSeq || undefined : undefined;
    const run = async () => {
      let loaded = false;
      try {
        const result = await this.ctx.connection.request({
          type: 'channel.watch',
          cid: this.cid,
          ...(since !== undefined && { since }),
          message_limit: this.messageLimit,
        });
        let state = this.store.getSnapshot();
        if (since !== undefined && result.recovered) {
          for (const event of result.events) {
            if ('seq' in event && 'cid' in event)
              state = applyChannelEvent(state, event, this.ctx.userId()).state;
          }
        } else {
          state = loadChannelState(state, result.state, this.ctx.userId(), this.messageLimit);
        }
        this.store.setState(state);
        loaded = true;
      } finally {
        // After a failure the buffered events are dropped: the next resume (on reconnect) or
        // gap fetches them again, rather than retrying in a loop here.
        const buffered = loaded ? (this.buffer ?? []) : [];
        this.buffer = undefined;
        this.resyncing = undefined;
        this.store.setState((s) => ({ ...s, loading: false }));
        for (const event of buffered.sort((a, b) => a.seq - b.seq)) this.handleEvent(event);
      }
    };
    this.resyncing = run();
    return this.resyncing;
  }

  /** Seeds the state from a server load (a query or `create`) when not watching. */
  seed(server: ServerChannelState): void {
    if (this.watching && this.store.getSnapshot().channel) return;
    this.store.setState((s) => loadChannelState(s, server, this.ctx.userId()));
  }

  /** Fills the state from the offline cache (cold start); the first watch resumes from its seq. */
  hydrate(record: CachedChannel, messages: readonly Message[]): void {
    if (this.store.getSnapshot().channel) return;
    const userId = this.ctx.userId();
    const membership = record.members.find((m) => m.user_id === userId) ?? null;
    const server = { ...record, messages: [...messages], membership, draft: null };
    this.store.setState((s) => ({ ...loadChannelState(s, server, userId), lastSeq: record.seq }));
    this.fromCache = record.seq > 0;
  }

  /** Shows a send that waits in the durable queue (after a reload), `failed` when `error` is given. */
  restoreUnsent(body: SendBody, createdAt: string, error?: ChatError): void {
    const input = {
      ...body,
      parentId: body.parent_id,
      quotedMessageId: body.quoted_message_id,
      mentionedUserIds: body.mentioned_user_ids,
    };
    const { local } = createLocalMessage(input, {
      cid: this.cid,
      clientMsgId: body.client_msg_id,
      user: this.ownUser(),
      now: createdAt,
    });
    this.store.setState((s) => putLocalMessage(s, error ? { ...local, status: 'failed', error } : local));
  }

  /** Shows an unsent message as failed (the queue gave up on it). */
  markFailed(clientMsgId: string, error: ChatError): void {
    this.store.setState((s) =>
      patchAnyMessage(s, clientMsgId, (m) =>
        m.status === 'sending' ? { ...m, status: 'failed', error } : m,
      ),
    );
  }

  /** Applies the server's answer to a write (from the queue, or a direct request). */
  applyAck(op: QueueOperation, result: unknown): void {
    if (op.type === 'read.mark') {
      const { read } = result as { read: ReadState };
      this.store.setState((s) => ({
        ...s,
        read: { ...s.read, [read.user_id]: read },
        unreadCount: read.unread_count,
      }));
      this.ctx.onUnreadChanged(this.cid, read.unread_count);
      return;
    }
    const { message } = result as { message: Message };
    if (op.type === 'reaction.add' || op.type === 'reaction.remove') {
      const type = op.reaction_type;
      this.store.setState((s) =>
        putMessage(s, message, (own) =>
          op.type === 'reaction.add'
            ? [...own.filter((t) => t !== type), type]
            : own.filter((t) => t !== type),
        ),
      );
      return;
    }
    this.put(message);
    if (op.type === 'message.send') this.ctx.onMessageSent(message);
  }

  /** A write: through the durable queue when there is one, else straight over the socket. */
  private async write<R>(op: QueueOperation): Promise<R> {
    const sync = this.ctx.sync?.();
    if (sync) return (await sync.submit(op)) as R;
    const result = await this.ctx.connection.request(frameOf(op));
    this.applyAck(op, result);
    return result as R;
  }

  private ownUser() {
    const userId = this.ctx.userId() ?? '';
    return (
      this.store.getSnapshot().members[userId]?.user ?? { id: userId, name: null, image: null, online: true }
    );
  }

  /** Applies a realtime event for this channel (called by the client). */
  handleEvent(event: ChannelEvent): void {
    if (this.buffer) {
      this.buffer.push(event);
      return;
    }
    const { state, gap } = applyChannelEvent(this.store.getSnapshot(), event, this.ctx.userId());
    if (gap) {
      if (!this.watching) return;
      this.buffer = [event];
      void this.load(true).catch(() => {});
      return;
    }
    if (event.type === 'typing.start') this.typists.touch(event.user.id);
    if (event.type === 'typing.stop') this.typists.cancel(event.user.id);
    this.store.setState(state);
    this.ctx.onApplied?.(event);
  }

  private put(message: Message): Message {
    this.store.setState((s) => putMessage(s, message));
    return message;
  }

  // --- messages -------------------------------------------------------------------------------

  /**
   * Sends a message. It shows at once with status `sending`; the server's copy replaces it
   * (matched by `client_msg_id`) with status `sent`. On failure it stays, `failed`, and the
   * promise rejects: `retryMessage(id)` or `discardMessage(id)`.
   */
  sendMessage(input: SendMessageInput): Promise<LocalMessage> {
    const clientMsgId = this.ctx.env.randomUUID();
    const now = new Date(this.ctx.env.clock.now()).toISOString();
    const { local, body } = createLocalMessage(input, {
      cid: this.cid,
      clientMsgId,
      user: this.ownUser(),
      now,
    });
    this.store.setState((s) => putLocalMessage(s, local));
    const sync = this.ctx.sync?.();
    if (sync)
      return this.queued(sync.submit({ type: 'message.send', cid: this.cid, message: body }), clientMsgId);
    this.outbox.set(clientMsgId, body);
    return this.deliver(clientMsgId);
  }

  /** The queue applies the ack (or marks the message failed); this gives the caller the result. */
  private async queued(done: Promise<unknown>, clientMsgId: string): Promise<LocalMessage> {
    try {
      const { message } = (await done) as { message: Message };
      return { ...message, status: 'sent' };
    } catch (cause) {
      const error =
        cause instanceof ChatError
          ? cause
          : new NetworkError({ code: 'network_error', message: String(cause), cause });
      this.markFailed(clientMsgId, error);
      throw error;
    }
  }

  private async deliver(clientMsgId: string): Promise<LocalMessage> {
    const body = this.outbox.get(clientMsgId) as SendBody;
    try {
      const { message } = await this.ctx.connection.request({
        type: 'message.send',
        cid: this.cid,
        message: body,
      });
      this.outbox.delete(clientMsgId);
      this.put(message);
      this.ctx.onMessageSent(message);
      return { ...message, status: 'sent' };
    } catch (cause) {
      const error =
        cause instanceof ChatError
          ? cause
          : new NetworkError({ code: 'network_error', message: String(cause), cause });
      this.store.setState((s) =>
        patchAnyMessage(s, clientMsgId, (m) => (m.status === 'sent' ? m : { ...m, status: 'failed', error })),
      );
      throw error;
    }
  }

  /** Sends a `failed` message again, with the same `client_msg_id` (so it cannot be stored twice). */
  retryMessage(id: string): Promise<LocalMessage> {
    const message = this.findLocal(id);
    const clientMsgId = message?.status === 'failed' ? message.client_msg_id : null;
    const retried = clientMsgId ? this.ctx.sync?.()?.retry(clientMsgId) : undefined;
    if (clientMsgId && retried) {
      this.store.setState((s) =>
        patchAnyMessage(s, id, (m) => ({ ...m, status: 'sending', error: undefined })),
      );
      return this.queued(retried, clientMsgId);
    }
    if (!clientMsgId || !this.outbox.has(clientMsgId))
      return Promise.reject(new Error(`No failed message ${id}`));
    this.store.setState((s) =>
      patchAnyMessage(s, id, (m) => ({ ...m, status: 'sending', error: undefined })),
    );
    return this.deliver(clientMsgId);
  }

  /** Removes a `failed` message from the list without sending it. */
  discardMessage(id: string): void {
    const message = this.findLocal(id);
    if (!message || message.status === 'sent') return;
    if (message.client_msg_id) {
      this.outbox.delete(message.client_msg_id);
      this.ctx.sync?.()?.discard(message.client_msg_id);
    }
    this.store.setState((s) => patchAnyMessage(s, id, () => undefined));
  }

  private findLocal(id: string): LocalMessage | undefined {
    const s = this.store.getSnapshot();
    return [s.messages, ...Object.values(s.threads)].flat().find((m) => m.id === id);
  }

  async updateMessage(
    messageId: string,
    change: { text?: string; mentionedUserIds?: string[] },
  ): Promise<Message> {
    const message = {
      ...(change.text !== undefined && { text: change.text }),
      ...(change.mentionedUserIds && { mentioned_user_ids: change.mentionedUserIds }),
    };
    const result = await this.write<{ message: Message }>({
      type: 'message.update',
      cid: this.cid,
      message_id: messageId,
      message,
    });
    return result.message;
  }

  async deleteMessage(messageId: string): Promise<Message> {
    const op = { type: 'message.delete', cid: this.cid, message_id: messageId } as const;
    return (await this.write<{ message: Message }>(op)).message;
  }

  async pinMessage(messageId: string): Promise<Message> {
    const { message } = await this.ctx.http.request('pinMessage', { params: { id: messageId } });
    return this.put(message);
  }

  async unpinMessage(messageId: string): Promise<Message> {
    const { message } = await this.ctx.http.request('unpinMessage', { params: { id: messageId } });
    return this.put(message);
  }

  async sendReaction(messageId: string, type: string): Promise<Message> {
    const op = { type: 'reaction.add', cid: this.cid, message_id: messageId, reaction_type: type } as const;
    return (await this.write<{ message: Message }>(op)).message;
  }

  async deleteReaction(messageId: string, type: string): Promise<Message> {
    const op = {
      type: 'reaction.remove',
      cid: this.cid,
      message_id: messageId,
      reaction_type: type,
    } as const;
    return (await this.write<{ message: Message }>(op)).message;
  }

  /** Loads a page of messages older than the oldest one shown. Resolves with whether more exist. */
  async loadOlder(options: { limit?: number } = {}): Promise<boolean> {
    const oldest = this.store.getSnapshot().messages.find((m) => m.status === 'sent');
    const query = { limit: options.limit ?? 50, ...(oldest && { before: oldest.id }) };
    const page = await this.ctx.http.request('listMessages', { params: this.params, query });
    const top = page.messages.filter((m) => m.parent_id === null);
    this.store.setState((s) => addOlderMessages(s, top, page.has_more));
    return page.has_more;
  }

  /** Loads a thread's replies into `state.threads[parentId]`. */
  async getReplies(parentId: string, options: { limit?: number } = {}): Promise<readonly LocalMessage[]> {
    const query = { limit: options.limit ?? 50 };
    const page = await this.ctx.http.request('listReplies', { params: { id: parentId }, query });
    this.store.setState((s) => setThread(s, parentId, page.messages));
    return this.store.getSnapshot().threads[parentId] ?? [];
  }

  // --- reads and typing -----------------------------------------------------------------------

  /** Marks the channel read (up to `messageId`, or its newest message). */
  async markRead(messageId?: string): Promise<void> {
    if (!messageId && this.ctx.sync?.()) {
      // Queued (maybe offline): read up to the newest shows at once; the ack confirms it.
      this.store.setState((s) => (s.unreadCount ? { ...s, unreadCount: 0 } : s));
      this.ctx.onUnreadChanged(this.cid, 0);
    }
    await this.write({ type: 'read.mark', cid: this.cid, ...(messageId && { message_id: messageId }) });
  }

  /** Tells the others the user is typing; call it on every keystroke, the SDK throttles it. */
  startTyping(parentId?: string): void {
    const now = this.ctx.env.clock.now();
    if (this.typingSentAt !== undefined && now - this.typingSentAt < TYPING_THROTTLE_MS) return;
    this.typingSentAt = now;
    this.fireAndForget({ type: 'typing.start', cid: this.cid, ...(parentId && { parent_id: parentId }) });
  }

  /** Tells the others the user stopped typing (no-op if `startTyping` was not called). */
  stopTyping(parentId?: string): void {
    if (this.typingSentAt === undefined) return;
    this.typingSentAt = undefined;
    this.fireAndForget({ type: 'typing.stop', cid: this.cid, ...(parentId && { parent_id: parentId }) });
  }

  private fireAndForget(frame: RequestFrame): void {
    if (this.ctx.connection.state.getSnapshot().status !== 'connected') return;
    this.ctx.connection.request(frame).catch(() => {});
  }

  // --- members and moderation -----------------------------------------------------------------

  private setMembers(members: readonly Member[]): void {
    const userId = this.ctx.userId();
    this.store.setState((s) => {
      const byId = { ...s.members };
      for (const m of members) byId[m.user_id] = m;
      const membership = members.find((m) => m.user_id === userId) ?? s.membership;
      return { ...s, members: byId, membership };
    });
  }

  async addMembers(userIds: string[]): Promise<void> {
    const { members } = await this.ctx.http.request('addMembers', {
      params: this.params,
      body: { user_ids: userIds },
    });
    this.setMembers(members);
  }

  async removeMembers(userIds: string[]): Promise<void> {
    const { members } = await this.ctx.http.request('removeMembers', {
      params: this.params,
      body: { user_ids: userIds },
    });
    this.store.setState((s) => {
      const byId = Object.fromEntries(Object.entries(s.members).filter(([id]) => !userIds.includes(id)));
      return { ...s, members: byId };
    });
    this.setMembers(members);
  }

  async mute(): Promise<void> {
    const { members } = await this.ctx.http.request('muteChannel', { params: this.params });
    this.setMembers(members);
  }

  async unmute(): Promise<void> {
    const { members } = await this.ctx.http.request('unmuteChannel', { params: this.params });
    this.setMembers(members);
  }

  async banUser(userId: string, options: { timeout?: number; reason?: string } = {}): Promise<void> {
    const { members } = await this.ctx.http.request('banMember', {
      params: this.params,
      body: { user_id: userId, ...options },
    });
    this.setMembers(members);
  }

  async unbanUser(userId: string): Promise<void> {
    const { members } = await this.ctx.http.request('unbanMember', { params: { ...this.params, userId } });
    this.setMembers(members);
  }

  async saveDraft(text: string, parentId?: string): Promise<void> {
    const { draft } = await this.ctx.http.request('saveDraft', {
      params: this.params,
      body: { text, ...(parentId && { parent_id: parentId }) },
    });
    if (!parentId) this.store.setState((s) => ({ ...s, draft }));
  }
}
