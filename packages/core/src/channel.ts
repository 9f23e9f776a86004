import type {
  ChannelEvent,
  ChannelType,
  Member,
  Message,
  ChannelState as ServerChannelState,
  UserRef,
} from '@chat/protocol';
import { ChannelAdmin } from './channel-admin';
import type { ChannelContext } from './channel-context';
import { ChannelHydration } from './channel-hydration';
import { ChannelLoader } from './channel-loader';
import { createChannelStore } from './channel-store';
import { ChannelWindow } from './channel-window';
import { ChannelWrites } from './channel-writes';
import type { ChatError } from './errors';
import { pendingWritesOf } from './offline/pending-writes';
import type { QueueAck } from './offline/queue-frames';
import type { CachedChannel, QueueItem, QueueOperation } from './offline/storage-adapter';
import { clearTyping, emptyChannelState, loadChannelState, setThread } from './state/channel-reducer';
import type { SendBody, SendMessageInput } from './state/local-message';
import type { ChannelSnapshot, LocalFile, LocalMessage } from './state/types';
import type { ReadableStore } from './store';
import { TypingExpiry, TypingSender } from './typing-indicator';

const DEFAULT_MESSAGE_LIMIT = 30;
/**
 * How long the last `retainWatch` release waits before unwatching: a StrictMode remount or a
 * quick switch back retains again within it, and no unwatch/watch round trip happens.
 */
export const UNWATCH_GRACE_MS = 300;

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
  private readonly store = createChannelStore(emptyChannelState(''));
  /**
   * The channel's state; see `ChannelSnapshot`. Events that arrive together (one socket read)
   * are applied as one batch, and subscribers are told once per batch, in a microtask.
   */
  readonly state: ReadableStore<ChannelSnapshot>;
  /**
   * This channel's writes waiting in the durable queue (`pending`, `sending` or `failed`), oldest
   * first: sends, edits, deletes, reactions and reads made offline. Empty without a queue.
   */
  readonly pendingWrites: ReadableStore<readonly QueueItem[]>;
  private watching = false;
  private messageLimit = DEFAULT_MESSAGE_LIMIT;
  private readonly typists: TypingExpiry;
  private readonly typingSender: TypingSender;
  private readonly hydration: ChannelHydration;
  private readonly loader: ChannelLoader;
  private retainers = 0;
  private unwatchTimer: ReturnType<ChannelContext['env']['clock']['setTimeout']> | undefined;
  private readonly writes: ChannelWrites;
  private readonly admin: ChannelAdmin;
  private readonly window: ChannelWindow;

  constructor(
    readonly type: ChannelType,
    readonly id: string,
    private readonly ctx: ChannelContext,
  ) {
    this.cid = `${type}:${id}`;
    this.store.setState(emptyChannelState(this.cid));
    this.state = this.store;
    this.hydration = new ChannelHydration(this.store, () => ctx.userId());
    this.loader = new ChannelLoader(
      this.cid,
      ctx,
      this.store,
      this.hydration,
      () => this.messageLimit,
      (event) => this.handleEvent(event),
    );
    this.typists = new TypingExpiry(ctx.env.clock, (userId) =>
      this.store.setState((s) => clearTyping(s, userId)),
    );
    this.typingSender = new TypingSender(ctx.env.clock, (type, parentId) => {
      // Typing is only worth sending live; it is never queued.
      if (ctx.connection.state.getSnapshot().status !== 'connected') return;
      ctx.connection
        .request({ type, cid: this.cid, ...(parentId && { parent_id: parentId }) })
        .catch(() => {});
    });
    this.writes = new ChannelWrites({
      cid: this.cid,
      ctx,
      store: this.store,
      ownUser: () => this.ownUser(),
    });
    this.admin = new ChannelAdmin(
      ctx.http,
      { type, id },
      (members, removed) => this.setMembers(members, removed),
      (draft) => this.store.setState((s) => ({ ...s, draft })),
    );
    this.pendingWrites = pendingWritesOf(this.cid, () => ctx.sync?.()?.queue, this.store);
    this.window = new ChannelWindow(ctx.http, this.store, { type, id }, () =>
      this.watching ? this.loader.load(false) : undefined,
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
   * Watches the channel for as long as someone holds it: the first retain watches, and the last
   * release unwatches after `UNWATCH_GRACE_MS`. Views use this ("watch while mounted"), so two
   * views of one channel share one watch. Watch failures show in `state.error`.
   *
   * @example
   * const release = channel.retainWatch();
   * // …later, when the view goes away:
   * release();
   */
  retainWatch(): () => void {
    this.retainers += 1;
    if (this.unwatchTimer !== undefined) {
      this.ctx.env.clock.clearTimeout(this.unwatchTimer);
      this.unwatchTimer = undefined;
    }
    if (this.retainers === 1 && !this.watching) void this.watch().catch(() => {});
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.retainers -= 1;
      if (this.retainers > 0) return;
      this.unwatchTimer = this.ctx.env.clock.setTimeout(() => {
        this.unwatchTimer = undefined;
        if (this.retainers === 0 && this.watching) void this.unwatch().catch(() => {});
      }, UNWATCH_GRACE_MS);
    };
  }

  /**
   * Loads the channel and subscribes to its events. Called again (or after a reconnect), it
   * resumes from the last applied seq: the missed events are applied, or the state is replaced
   * when the server cannot replay them.
   */
  async watch(options: { messageLimit?: number } = {}): Promise<ChannelSnapshot> {
    if (options.messageLimit !== undefined) this.messageLimit = options.messageLimit;
    // The first watch loads fresh (a state seeded by a query may hold too few messages).
    const resume = this.hydration.takeResume() || this.watching;
    this.watching = true;
    await this.loader.load(resume);
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
    this.typingSender.reset();
    this.typists.clear();
    this.store.setState((s) => (Object.keys(s.typing).length ? { ...s, typing: {} } : s));
  }

  /** Resumes after a reconnect or a detected gap; one at a time. */
  resync(): Promise<void> {
    if (!this.watching) return Promise.resolve();
    return this.loader.load(true);
  }

  /** Seeds the state from a server load (a query or `create`) when not watching. */
  seed(server: ServerChannelState): void {
    if (this.watching && this.store.getSnapshot().channel) return;
    this.store.setState((s) => loadChannelState(s, server, this.ctx.userId()));
    this.hydration.replaced();
    this.ctx.onUsersSeen?.(server.members.map((m) => m.user));
  }

  /** Fills the state from the offline cache (cold start); the first watch resumes from its seq. */
  hydrate(record: CachedChannel, messages: readonly Message[]): void {
    this.hydration.hydrate(record, messages);
  }

  /**
   * A later step of a cold start: the full record, then with the cached messages, after `hydrate`
   * showed the list row. Skipped once the network has loaded or resumed the channel (see
   * `ChannelHydration`).
   */
  hydrateMessages(record: CachedChannel, messages: readonly Message[]): void {
    this.hydration.hydrateMessages(record, messages);
  }

  /** Applies a realtime event for this channel (called by the client). */
  handleEvent(event: ChannelEvent): void {
    if (this.loader.hold(event)) return;
    const gap = this.store.applyEvent(event, this.ctx.userId());
    if (gap) {
      if (!this.watching) return;
      void this.loader.load(true).catch(() => {});
      return;
    }
    if (event.type === 'typing.start') this.typists.touch(event.user.id);
    if (event.type === 'typing.stop') this.typists.cancel(event.user.id);
    this.ctx.onApplied?.(event);
  }

  private ownUser(): UserRef {
    const userId = this.ctx.userId() ?? '';
    return (
      this.store.getSnapshot().members[userId]?.user ?? { id: userId, name: null, image: null, online: true }
    );
  }

  private setMembers(members: readonly Member[], removed: readonly string[] = []): void {
    const userId = this.ctx.userId();
    const mine = members.find((m) => m.user_id === userId);
    this.store.setState((s) => {
      const byId = Object.fromEntries(Object.entries(s.members).filter(([id]) => !removed.includes(id)));
      for (const m of members) byId[m.user_id] = m;
      return { ...s, members: byId, membership: mine ?? s.membership };
    });
    if (mine) this.ctx.onMuteChanged?.(this.cid, mine.muted);
    this.ctx.onUsersSeen?.(members.map((m) => m.user));
  }

  // --- called by the offline layer ------------------------------------------------------------

  /** Shows a send that waits in the durable queue (after a reload), `failed` when `error` is given. */
  restoreUnsent(body: SendBody, createdAt: string, error?: ChatError, files?: readonly LocalFile[]): void {
    this.writes.restoreUnsent(body, createdAt, error, files);
  }

  /** Shows the progress of a queued send's files. */
  showFiles(clientMsgId: string, files: readonly LocalFile[]): void {
    this.writes.showFiles(clientMsgId, files);
  }

  /** Shows an unsent message as failed (the queue gave up on it). */
  markFailed(clientMsgId: string, error: ChatError): void {
    this.writes.markFailed(clientMsgId, error);
  }

  /** Applies the server's answer to a write (from the queue, or a direct request). */
  applyAck<T extends QueueOperation>(op: T, result: QueueAck<T['type']>): void {
    this.writes.applyAck(op, result);
  }

  // --- messages -------------------------------------------------------------------------------

  /**
   * Sends a message. It shows at once with status `sending`; the server's copy replaces it
   * (matched by `client_msg_id`) with status `sent`. While the server cannot be reached (or asks
   * to wait) it stays `sending` and is retried on a timer; refused for good (or still failing
   * after the retry horizon, 24 h) it becomes `failed` and the promise rejects: `retryMessage(id)`
   * or `discardMessage(id)`.
   */
  sendMessage(input: SendMessageInput): Promise<LocalMessage> {
    // Written while a window of the past is shown: back to the newest, where the message goes.
    if (!input.parentId && this.store.getSnapshot().hasNewer) void this.jumpToLatest().catch(() => {});
    return this.writes.send(input);
  }

  /**
   * Sends a `failed` message again, or a waiting one at once, with the same `client_msg_id` (so
   * it cannot be stored twice).
   */
  retryMessage(id: string): Promise<LocalMessage> {
    return this.writes.retry(id);
  }

  /** Removes a `failed` (or still queued) message without sending it. */
  discardMessage(id: string): void {
    this.writes.discard(id);
  }

  /** Edits a message; the edit shows at once and is undone if the server refuses it. */
  updateMessage(messageId: string, change: { text?: string; mentionedUserIds?: string[] }): Promise<Message> {
    const message = {
      ...(change.text !== undefined && { text: change.text }),
      ...(change.mentionedUserIds && { mentioned_user_ids: change.mentionedUserIds }),
    };
    return this.writes.writeMessage({
      type: 'message.update',
      cid: this.cid,
      message_id: messageId,
      message,
    });
  }

  /** Deletes a message; it shows as deleted at once and comes back if the server refuses. */
  deleteMessage(messageId: string): Promise<Message> {
    return this.writes.writeMessage({ type: 'message.delete', cid: this.cid, message_id: messageId });
  }

  async pinMessage(messageId: string): Promise<Message> {
    const { message } = await this.ctx.http.request('pinMessage', { params: { id: messageId } });
    this.writes.put(message);
    return message;
  }

  async unpinMessage(messageId: string): Promise<Message> {
    const { message } = await this.ctx.http.request('unpinMessage', { params: { id: messageId } });
    this.writes.put(message);
    return message;
  }

  /** Removes a preview of a link from the user's own message (for everyone); it stays removed. */
  async removeLinkPreview(messageId: string, url: string): Promise<Message> {
    const { message } = await this.ctx.http.request('removeLinkPreview', {
      params: { id: messageId },
      query: { url },
    });
    this.writes.put(message);
    return message;
  }

  /** Adds the user's reaction; counts and `own_reactions` change at once. */
  sendReaction(messageId: string, type: string): Promise<Message> {
    return this.writes.writeMessage({
      type: 'reaction.add',
      cid: this.cid,
      message_id: messageId,
      reaction_type: type,
    });
  }

  deleteReaction(messageId: string, type: string): Promise<Message> {
    return this.writes.writeMessage({
      type: 'reaction.remove',
      cid: this.cid,
      message_id: messageId,
      reaction_type: type,
    });
  }

  /** Loads a page of messages older than the oldest one shown. Resolves with whether more exist. */
  loadOlder(options: { limit?: number } = {}): Promise<boolean> {
    return this.window.loadOlder(options.limit);
  }

  /**
   * Shows `messageId` with the messages around it: a quoted message, a search result, the first
   * unread. When it is far back, the list becomes a window of the past (`hasNewer`), which pages
   * both ways (`loadOlder`, `loadNewer`) and goes back with `jumpToLatest` (sending a message
   * does too). Rejects with `not_found` for a message not in this channel; the list stays.
   *
   * @example
   * await channel.jumpTo(quoted.id);
   * document.querySelector(`[data-message-id="${quoted.id}"]`)?.scrollIntoView();
   */
  jumpTo(messageId: string, options: { limit?: number } = {}): Promise<void> {
    return this.window.jumpTo(messageId, options.limit);
  }

  /** In a window of the past, loads the next newer page; resolves with whether more exist. */
  loadNewer(options: { limit?: number } = {}): Promise<boolean> {
    return this.window.loadNewer(options.limit);
  }

  /** Back to the newest messages after `jumpTo`. */
  jumpToLatest(): Promise<void> {
    return this.window.jumpToLatest();
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
    await this.writes.write({
      type: 'read.mark',
      cid: this.cid,
      ...(messageId && { message_id: messageId }),
    });
  }

  /** Tells the others the user is typing; call it on every keystroke, the SDK throttles it. */
  startTyping(parentId?: string): void {
    this.typingSender.start(parentId);
  }

  /** Tells the others the user stopped typing (no-op if `startTyping` was not called). */
  stopTyping(parentId?: string): void {
    this.typingSender.stop(parentId);
  }

  // --- members and moderation (REST) ----------------------------------------------------------

  addMembers(userIds: string[]): Promise<void> {
    return this.admin.addMembers(userIds);
  }

  removeMembers(userIds: string[]): Promise<void> {
    return this.admin.removeMembers(userIds);
  }

  mute(): Promise<void> {
    return this.admin.mute();
  }

  unmute(): Promise<void> {
    return this.admin.unmute();
  }

  banUser(userId: string, options: { timeout?: number; reason?: string } = {}): Promise<void> {
    return this.admin.banUser(userId, options);
  }

  unbanUser(userId: string): Promise<void> {
    return this.admin.unbanUser(userId);
  }

  saveDraft(text: string, parentId?: string): Promise<void> {
    return this.admin.saveDraft(text, parentId);
  }
}
