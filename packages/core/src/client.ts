import type { ChatEvent, User } from '@chat/protocol';
import { Auth } from './auth';
import type { Channel } from './channel';
import { Channels } from './channels';
import { ConnectionManager, type ConnectionOptions } from './connection/connection-manager';
import type { ConnectionState } from './connection/connection-state';
import { type ChatEnvironment, resolveEnvironment } from './environment';
import { ValidationError } from './errors';
import { ChatEventEmitter, type EventKey, type EventListener } from './event-emitter';
import type { RetryOptions } from './http/retry-policy';
import { HttpClient } from './http-client';
import { Messages } from './messages';
import { createStore, type ReadableStore } from './store';
import { TokenManager, type TokenSource } from './token-manager';
import { socketUrl } from './urls';
import { Users } from './users';

export interface ChatClientOptions {
  apiKey: string;
  /** The server's base URL, e.g. `https://chat.example.com`; the socket URL is derived from it. */
  baseUrl: string;
  /** Host capabilities to use instead of the globals (React Native, tests, Node without globals). */
  env?: ChatEnvironment;
  connection?: ConnectionOptions;
  http?: { timeoutMs?: number; retry?: Partial<RetryOptions> };
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
  private readonly userStore = createStore<User | undefined>(undefined);
  /** The connected user as the server knows it (`undefined` before the first connection). */
  readonly user: ReadableStore<User | undefined> = this.userStore;
  private readonly events = new ChatEventEmitter();
  private readonly tokens = new TokenManager();
  private readonly manager: ConnectionManager;
  private currentUserId: string | undefined;

  constructor(options: ChatClientOptions) {
    const env = resolveEnvironment(options.env);
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
      },
    });
    this.connection = this.manager.state;
    this.channels = new Channels({
      connection: this.manager,
      http: this.http,
      env,
      userId: () => this.currentUserId,
    });
    this.manager.onReconnected(() => void this.channels.resumeAll());
    this.auth = new Auth(this.http, (user, provider) => this.connect(user, provider));
    this.users = new Users(this.http);
    this.messages = new Messages(this.http);
  }

  private dispatch(event: ChatEvent): void {
    // State first, so listeners of `on` see it applied.
    this.channels.handleEvent(event);
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
    }
    await this.manager.connect();
    return this.userStore.getSnapshot() as User;
  }

  /** Closes the connection and forgets the user; call `connect` again to come back. */
  disconnect(): void {
    this.manager.disconnect();
    this.tokens.setSource(undefined);
    this.currentUserId = undefined;
    this.userStore.setState(undefined);
    this.channels.reset();
  }
}
