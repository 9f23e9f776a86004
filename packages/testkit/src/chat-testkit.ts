import { type Channel, type Member, type Message, userId as userIdSchema } from '@chat/protocol';
import { type HttpHandler, type WebSocketHandler, ws } from 'msw';
import { ActingUser } from './acting-user';
import { FixtureStore } from './fixture-store';
import type { KitContext } from './kit-context';
import { KitError } from './kit-error';
import { restHandlers } from './rest-handlers';
import { addSeedChannel, addSeedUser, type SeedChannel, type SeedUser, type TestkitSeed } from './seed';
import { type SocketClient, SocketGateway } from './socket-gateway';
import { toChannel, toMember, toMessage } from './views';

export interface ChatTestkitOptions {
  /** Where the SDK believes the server is; give the same to `ChatClient`. Default `http://chat.test`. */
  baseUrl?: string;
  /** The application's api key; give the same to `ChatClient`. Default `testkit`. */
  apiKey?: string;
  /** The fixtures the store starts with, and returns to on `reset()`. */
  seed?: TestkitSeed;
  /** The clock of every timestamp the kit writes. Default: the real time. */
  now?: () => Date;
  /**
   * Called when the kit produced something `@chat/protocol`'s schemas refuse (a bug in the kit):
   * the REST call answers 500 and the frame an `internal` error. By default the error is thrown
   * asynchronously as well, so the test runner reports it as an unhandled error and fails.
   */
  onProtocolError?: (error: Error) => void;
}

const TOKEN_PREFIX = 'testkit:';

/**
 * The chat server in memory, for an app's tests: msw handlers that implement the REST API and
 * the WebSocket protocol over a seedable fixture store, and helpers to script what other users
 * and the network do.
 *
 * @example
 * const kit = createChatTestkit({ seed: { channels: [{ type: 'messaging', id: 'general', members: ['alice', 'bob'] }] } });
 * const server = setupServer(...kit.handlers); // msw/node; or setupWorker(...kit.handlers) in a browser
 * server.listen();
 * const client = new ChatClient({ apiKey: kit.apiKey, baseUrl: kit.baseUrl });
 * await client.connect({ id: 'alice' }, kit.tokenFor('alice'));
 * kit.as('bob').send('messaging:general', 'hi alice');
 */
export class ChatTestkit {
  readonly baseUrl: string;
  readonly apiKey: string;
  /** Pass to msw's `setupServer` or `setupWorker`: the REST endpoints, then the socket. */
  readonly handlers: (HttpHandler | WebSocketHandler)[];
  /** Every protocol violation the kit caught itself making (see `onProtocolError`). */
  readonly protocolErrors: Error[] = [];
  private readonly store = new FixtureStore();
  private readonly gateway: SocketGateway;
  private readonly ctx: KitContext;
  private readonly seed: TestkitSeed;

  constructor(options: ChatTestkitOptions = {}) {
    this.baseUrl = (options.baseUrl ?? 'http://chat.test').replace(/\/+$/, '');
    this.apiKey = options.apiKey ?? 'testkit';
    this.seed = options.seed ?? {};
    const clock = options.now ?? (() => new Date());
    const onProtocolError =
      options.onProtocolError ??
      ((error: Error) =>
        queueMicrotask(() => {
          throw error;
        }));
    const reportBug = (error: unknown) => {
      const bug = error instanceof Error ? error : new Error(String(error));
      this.protocolErrors.push(bug);
      onProtocolError(bug);
    };
    const verifyToken = (token: string) => this.verifyToken(token);
    this.gateway = new SocketGateway({ apiKey: this.apiKey, verifyToken, reportBug });
    this.ctx = {
      store: this.store,
      sink: this.gateway,
      now: () => clock().toISOString(),
      newId: () => crypto.randomUUID(),
    };
    this.gateway.ctx = this.ctx;
    this.store.isOnline = (id) => this.gateway.isOnline(id);
    const socketUrl = `${this.baseUrl.replace(/^http/i, 'ws')}/v1/ws`;
    const socket = ws
      .link(socketUrl)
      .addEventListener('connection', ({ client }) => this.gateway.accept(client as unknown as SocketClient));
    this.handlers = [
      ...restHandlers({
        baseUrl: this.baseUrl,
        apiKey: this.apiKey,
        ctx: () => this.ctx,
        verifyToken,
        reportBug,
      }),
      socket,
    ];
    this.applySeed();
  }

  /** A token the kit accepts for `userId` (socket `auth` and REST bearer). An unknown user is created on first use, as the server does. */
  tokenFor(userId: string): string {
    return `${TOKEN_PREFIX}${userId}`;
  }

  /** Scripts what `userId` does from elsewhere: sends, edits, reactions, typing, reads. */
  as(userId: string): ActingUser {
    if (!this.store.users.has(userId))
      throw new TypeError(`@chat/testkit: no user "${userId}" (seed or addUser it)`);
    return new ActingUser(userId, () => this.ctx, this.gateway);
  }

  addUser(user: SeedUser): void {
    addSeedUser(this.ctx, user);
  }

  /** Adds a channel as a seed would (nobody is told: use `as(user).createChannel` for that). */
  addChannel(channel: SeedChannel): void {
    addSeedChannel(this.ctx, channel);
  }

  /** The channel as the server holds it now. */
  channel(cid: string): Channel {
    return toChannel(this.channelRecord(cid));
  }

  /** The channel's top-level messages, oldest first, as everyone sees them (no own reactions). */
  messages(cid: string): Message[] {
    this.channelRecord(cid);
    return this.store
      .messagesOf(cid)
      .filter((m) => m.parent_id === null)
      .map((m) => toMessage(this.store, m, null));
  }

  members(cid: string): Member[] {
    const channel = this.channelRecord(cid);
    return [...channel.members.values()].map((m) => toMember(this.store, channel, m));
  }

  /** Whether `userId` has a socket open and authenticated. */
  isOnline(userId: string): boolean {
    return this.gateway.isOnline(userId);
  }

  /**
   * The connection drops (every socket, or one user's), as a network failure would: the SDK
   * reconnects and resumes its watched channels from their last seq. Returns how many closed.
   */
  dropConnections(userId?: string): number {
    return this.gateway.drop(userId);
  }

  /** The network goes down: open sockets drop and new ones fail until `goOnline()`. */
  goOffline(): void {
    this.gateway.refuseConnections(true);
    this.gateway.drop();
  }

  goOnline(): void {
    this.gateway.refuseConnections(false);
  }

  /** Back to the seed: sockets close (1012, the SDK reconnects), the store is refilled. */
  reset(): void {
    this.gateway.closeAll();
    this.gateway.refuseConnections(false);
    this.store.clear();
    this.protocolErrors.length = 0;
    this.applySeed();
  }

  private applySeed(): void {
    for (const [i, user] of (this.seed.users ?? []).entries()) addSeedUser(this.ctx, user, `users[${i}]`);
    for (const [i, channel] of (this.seed.channels ?? []).entries())
      addSeedChannel(this.ctx, channel, `channels[${i}]`);
  }

  private channelRecord(cid: string) {
    const channel = this.store.channels.get(cid);
    if (!channel) throw new TypeError(`@chat/testkit: no channel "${cid}"`);
    return channel;
  }

  private verifyToken(token: string): string {
    const id = token.startsWith(TOKEN_PREFIX) ? token.slice(TOKEN_PREFIX.length) : '';
    if (!userIdSchema.safeParse(id).success)
      throw new KitError('unauthenticated', 'Not a token of @chat/testkit (use kit.tokenFor(userId))');
    if (!this.store.users.has(id)) addSeedUser(this.ctx, id);
    return id;
  }
}

/** Creates a `ChatTestkit` (see there). */
export function createChatTestkit(options: ChatTestkitOptions = {}): ChatTestkit {
  return new ChatTestkit(options);
}
