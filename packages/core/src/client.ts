import { ConnectionManager, type ConnectionOptions } from './connection/connection-manager';
import type { ConnectionState } from './connection/connection-state';
import { type ChatEnvironment, resolveEnvironment } from './environment';
import { ValidationError } from './errors';
import { ChatEventEmitter, type EventKey, type EventListener } from './event-emitter';
import type { RetryOptions } from './http/retry-policy';
import { HttpClient } from './http-client';
import type { ReadableStore } from './store';
import { TokenManager, type TokenSource } from './token-manager';
import { socketUrl } from './urls';

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
 * The SDK's entry point. GROWING: today it connects a user and delivers events; channels,
 * messages and the state layer will hang off it as separate managers.
 *
 * @example
 * const client = new ChatClient({ apiKey: 'app-key', baseUrl: 'https://chat.example.com' });
 * client.connection.subscribe(() => console.log(client.connection.getSnapshot().status));
 * client.on('message.new', (event) => console.log(event.message.text));
 * await client.connect({ id: 'alice' }, () => fetchTokenFromMyBackend());
 */
export class ChatClient {
  /** The connection as one value; see `ConnectionState`. */
  readonly connection: ReadableStore<ConnectionState>;
  /** Typed REST calls with the connected user's token. */
  readonly http: HttpClient;
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
      onEvent: (event) => this.events.emit(event),
    });
    this.connection = this.manager.state;
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
  connect(user: { id: string }, token: TokenSource): Promise<void> {
    if (this.currentUserId !== undefined && this.currentUserId !== user.id) {
      return Promise.reject(
        new ValidationError({
          code: 'validation_failed',
          message: `Already connected as ${this.currentUserId}: disconnect() first`,
        }),
      );
    }
    if (this.currentUserId === undefined) {
      this.currentUserId = user.id;
      this.tokens.setSource(token);
    }
    return this.manager.connect();
  }

  /** Closes the connection and forgets the user; call `connect` again to come back. */
  disconnect(): void {
    this.manager.disconnect();
    this.tokens.setSource(undefined);
    this.currentUserId = undefined;
  }
}
