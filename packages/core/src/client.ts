import type { ChatEvent, User } from '@chat/protocol';
import { Auth } from './auth';
import type { Channel } from './channel';
import { Channels } from './channels';
import { ConnectionManager, type ConnectionOptions } from './connection/connection-manager';
import type { ConnectionState } from './connection/connection-state';
import { Devices } from './devices';
import { type ChatEnvironment, resolveEnvironment } from './environment';
import { NetworkError, ValidationError } from './errors';
import { ChatEventEmitter, type EventKey, type EventListener } from './event-emitter';
import type { RetryOptions } from './http/retry-policy';
import { HttpClient } from './http-client';
import { Messages } from './messages';
import { createMemoryStorage } from './offline/memory-storage';
import { OfflineSync } from './offline/offline-sync';
import type { StorageAdapter } from './offline/storage-adapter';
import type { SyncRetryOptions } from './offline/sync-retry';
import { createStore, type ReadableStore } from './store';
import { TokenManager, type TokenSource } from './token-manager';
import { MessageFiles } from './uploads/message-files';
import { Uploads } from './uploads/uploads';
import { socketUrl } from './urls';
import { Users } from './users';

/** How long `connect` waits for the offline cache before connecting anyway. */
const CACHE_WAIT_MS = 3_000;

export interface ChatClientOptions {
  apiKey: string;
  /** The server's base URL, e.g. `https://chat.example.com`; the socket URL is derived from it. */
  baseUrl: string;
  /** Host capabilities to use instead of the globals (React Native, tests, Node without globals). */
  env?: ChatEnvironment;
  connection?: ConnectionOptions;
  http?: { timeoutMs?: number; retry?: Partial<RetryOptions> };
  /**
   * Where the offline cache and the sync queue live: an adapter, or a factory called at each
   * `connect` with the app and user (one storage per user). Default: in memory, per user, for
   * the life of this client. Pass `createIndexedDbStorage` to survive reloads in a browser.
   */
  storage?: StorageAdapter | ((ctx: { apiKey: string; userId: string }) => StorageAdapter);
  /**
   * How the sync queue retries writes that failed with a retryable error: `baseMs` (1 s) and
   * `maxMs` (5 s) shape the jittered backoff, `horizonMs` (24 h) is how long a write keeps
   * being retried before it is marked failed.
   */
  offline?: { retry?: Partial<SyncRetryOptions> };
}

/**
 * The SDK's entry point: a small facade over the connection, REST, and the `auth`, `channels`,
 * `users` and `messages` managers; channel state lives in `Channel` handles.
 *
 * @example
 * const client = new ChatClient({ apiKey: 'app-key', baseUrl: 'https://chat.example.com' });
 * client.connection.subscribe(() => console.log(client.connection.getSnapshot().status));
 * client.on('message.new', (event) => console.log(event.message.text));
 * await client.connect({ id: 'alice' }, () => fetchTokenFromMyBackend());
 * await client.channel('team', 'general').watch();
 */
export class ChatClient {
  /** The connection as one value; see `ConnectionState`. */
  readonly connection: ReadableStore<ConnectionState>;
  /** Typed REST calls with the connected user's token. */
  readonly http: HttpClient;
  /** Channel handles, queries, creation, the channel list and the unread total. */
  readonly channels: Channels;
  /** Login/registration with accounts owned by the chat server. */
  readonly auth: Auth;
  readonly users: Users;
  readonly messages: Messages;
  /** The user's push devices, and Web Push in a browser. */
  readonly devices: Devices;
  /** Files uploaded to the server (photos, documents), and URLs of stored files for a page. */
  readonly uploads: Uploads;
  private readonly userStore = createStore<User | undefined>(undefined);
  /** The connected user as the server knows it (`undefined` before the first connection). */
  readonly user: ReadableStore<User | undefined> = this.userStore;
  private readonly events = new ChatEventEmitter();
  private readonly tokens = new TokenManager();
  private readonly manager: ConnectionManager;
  private readonly env: ReturnType<typeof resolveEnvironment>;
  private currentUserId: string | undefined;
  private readonly storageOption: ChatClientOptions['storage'];
  private readonly retryOption: Partial<SyncRetryOptions> | undefined;
  private readonly memoryStorages = new Map<string, StorageAdapter>();
  private readonly apiKey: string;
  /** The files of messages being sent (one per client: the queue finds a send's files here). */
  private readonly files: MessageFiles;
  private offline: { sync: OfflineSync; storage: StorageAdapter; ready: Promise<void> } | undefined;

  constructor(options: ChatClientOptions) {
    const env = resolveEnvironment(options.env);
    this.env = env;
    this.apiKey = options.apiKey;
    this.storageOption = options.storage;
    this.retryOption = options.offline?.retry;
    this.http = new HttpClient({
      ...options.http,
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      env,
      tokens: this.tokens,
    });
    this.manager = new ConnectionManager({
      ...options.connection,
      url: socketUrl(options.baseUrl, options.apiKey),
      tokens: this.tokens,
      env,
      onEvent: (event) => this.dispatch(event),
      onOpen: (event) => {
        this.userStore.setState(event.user);
        this.channels.handleEvent(event);
        this.channels.resumeUnloaded();
      },
    });
    this.connection = this.manager.state;
    this.uploads = new Uploads({
      http: this.http,
      env,
      baseUrl: options.baseUrl,
      // Browsers report upload progress only through XMLHttpRequest; an injected fetch (tests,
      // a custom transport) is used as given.
      useXhr: !options.env?.fetch && typeof XMLHttpRequest === 'function',
    });
    this.files = new MessageFiles(this.uploads);
    this.channels = new Channels({
      files: this.files,
      connection: this.manager,
      http: this.http,
      env,
      userId: () => this.currentUserId,
      sync: () => this.offline?.sync.writes,
      onHandle: (channel) => this.offline?.sync.track(channel),
      onUsersSeen: (users) => this.users.seen(users),
    });
    this.manager.onReconnected(() => void this.channels.resumeAll());
    this.auth = new Auth(
      this.http,
      (user, provider) => this.connect(user, provider),
      () => this.disconnect({ clear: true }),
      { store: env.keyValue, prefix: `chat-device:${options.apiKey}:` },
      `chat-session:${options.apiKey}`,
    );
    this.users = new Users(this.http);
    this.messages = new Messages(this.http);
    this.devices = new Devices(this.http);
  }

  private dispatch(event: ChatEvent): void {
    // State first, so listeners of `on` see it applied.
    this.channels.handleEvent(event);
    this.users.handleEvent(event);
    this.events.emit(event);
  }

  /** The handle of channel `type:id` (same handle for the same cid); nothing is fetched yet. */
  channel(type: Channel['type'], id: string): Channel {
    return this.channels.channel(type, id);
  }

  /** The connected user, or `undefined`. */
  getUser(): User | undefined {
    return this.userStore.getSnapshot();
  }

  /** The id of the connected (or connecting) user. */
  get userId(): string | undefined {
    return this.currentUserId;
  }

  /** Subscribes to a server event type, or `'*'` for all; returns the unsubscribe function. */
  on<K extends EventKey>(type: K, listener: EventListener<K>): () => void {
    return this.events.on(type, listener);
  }

  /**
   * Connects `user` with a token or a token provider (called again whenever the token expires).
   * The user id is taken now so that, later, the offline cache can load before the socket
   * answers. Resolves once connected; see `ConnectionManager.connect`. Calling it again for the
   * same user joins the connection in progress.
   */
  async connect(user: { id: string }, token: TokenSource): Promise<User> {
    if (this.currentUserId !== undefined && this.currentUserId !== user.id) {
      throw new ValidationError({
        code: 'validation_failed',
        message: `Already connected as ${this.currentUserId}: disconnect() first`,
      });
    }
    if (this.currentUserId === undefined) {
      this.currentUserId = user.id;
      this.tokens.setSource(token);
      this.startOffline(user.id);
    }
    const offline = this.offline;
    // The cache is in the stores before the socket opens. A storage that hangs (a blocked
    // IndexedDB upgrade) must not stop the connection: a late cache never overwrites fresh data.
    if (offline) await this.cacheOrTimeout(offline.ready);
    if (this.offline !== offline) {
      throw new NetworkError({ code: 'not_connected', retryable: false, message: 'Disconnected' });
    }
    await this.manager.connect();
    return this.userStore.getSnapshot() as User;
  }

  private cacheOrTimeout(ready: Promise<void>): Promise<void> {
    let timer: unknown;
    const late = new Promise<void>((resolve) => {
      timer = this.env.clock.setTimeout(resolve, CACHE_WAIT_MS);
    });
    return Promise.race([ready, late]).finally(() => this.env.clock.clearTimeout(timer));
  }

  private startOffline(userId: string): void {
    const option = this.storageOption;
    let storage: StorageAdapter;
    if (typeof option === 'function') storage = option({ apiKey: this.apiKey, userId });
    else if (option) storage = option;
    else {
      storage = this.memoryStorages.get(userId) ?? createMemoryStorage();
      this.memoryStorages.set(userId, storage);
    }
    const sync: OfflineSync = new OfflineSync({
      storage,
      connection: this.manager,
      clock: this.env.clock,
      random: this.env.random,
      retry: this.retryOption,
      channel: (cid) => this.channels.byCid(cid),
      files: this.files,
      hydrate: (cached) => this.channels.hydrate(cached),
      hydrateMessages: (cached) => this.channels.hydrateMessages(cached),
      visible: this.env.visible,
    });
    this.offline = { sync, storage, ready: Promise.resolve() };
    this.offline.ready = sync.load().catch(() => {});
  }

  /**
   * Tries the queued writes that wait to retry (after a timeout, an outage, a rate limit) at
   * once, for a "Retry now" button; they are retried on a timer anyway. Resolves once they are
   * started; each message's status shows the outcome.
   *
   * @example
   * retryButton.onclick = () => client.retryPending();
   */
  async retryPending(): Promise<void> {
    await this.offline?.sync.retryPending();
  }

  /**
   * Closes the connection and forgets the user; call `connect` again to come back. Unsent writes
   * stay queued in the storage for the next `connect` of the same user. With `clear: true` (a
   * logout) the storage is emptied, queue included. Resolves once the storage is written (or
   * cleared) and, when a factory made it, closed.
   */
  async disconnect(options: { clear?: boolean } = {}): Promise<void> {
    const offline = this.offline;
    this.offline = undefined;
    this.manager.disconnect();
    this.tokens.setSource(undefined);
    this.currentUserId = undefined;
    this.userStore.setState(undefined);
    this.channels.reset();
    if (!offline) return;
    const closing = offline.sync.close();
    await offline.ready;
    await closing;
    if (options.clear) await offline.storage.clear().catch(() => {});
    if (typeof this.storageOption === 'function') offline.storage.close?.();
  }
}
