import { randomBytes } from 'node:crypto';
import type { ChannelType } from '@chat/protocol';
import {
  type ChatServer,
  createChatServer,
  createServerToken,
  createUserToken,
  type Store,
} from '@chat/server';
import { ChatClient, type ChatClientOptions } from '../src/client';
import type { WebSocketLike } from '../src/environment';
import type { ReadableStore } from '../src/store';

/** The reference server in this process, on a throwaway database, with one fresh application. */
export async function startServer(options: { store?: Store } = {}) {
  const server: ChatServer = await listen(options);
  const apiKey = randomBytes(12).toString('base64url');
  const apiSecret = randomBytes(32).toString('base64url');
  await server.store.db
    .insertInto('applications')
    .values({
      name: `core e2e ${randomBytes(4).toString('hex')}`,
      api_key: apiKey,
      api_secret: apiSecret,
      allow_registration: true,
    })
    .execute();
  return {
    server,
    apiKey,
    token: (userId: string) => createUserToken(apiSecret, userId),
    /** A token of the app's backend (server-side calls). */
    serverToken: () => createServerToken(apiSecret),
  };
}

/**
 * Starts a server; with `store` it uses that database and leaves it open on `close()`, so a test
 * can stop the server and start another on the same `port` with the same data (a restart).
 */
export function listen(options: { store?: Store; port?: number } = {}): Promise<ChatServer> {
  return createChatServer({
    port: options.port ?? 0,
    host: '127.0.0.1',
    dataDir: 'memory',
    seedDemo: false,
    logLevel: 'silent',
    // Every test user registers from this one address, and tests write fast: the limits have
    // their own server tests.
    http: { registrationsPerIpPerHour: 100_000, registrationsPerAppPerHour: 100_000 },
    realtime: { writes: { points: 100_000, durationSeconds: 10 } },
    ...(options.store && { store: options.store }),
  });
}

type Harness = Awaited<ReturnType<typeof startServer>>;

/** A connected client whose sockets the test can drop. */
export async function connectClient(h: Harness, userId: string) {
  const sockets: WebSocketLike[] = [];
  const Base = globalThis.WebSocket as unknown as new (url: string) => WebSocketLike;
  class Tracked extends Base {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  const client = new ChatClient({
    apiKey: h.apiKey,
    baseUrl: h.server.url,
    env: { WebSocket: Tracked, random: () => 0.99 },
    connection: { backoff: { baseMs: 1_000, maxMs: 1_000 } },
  });
  const user = await client.connect({ id: userId }, () => h.token(userId));
  /** Drops the current socket as a network failure would (the client reconnects after ~1 s). */
  const dropSocket = () => sockets.at(-1)?.close(3000, 'test drop');
  return { client, user, dropSocket };
}

/**
 * Makes clients of `h`'s server that come back fast after a drop (300 ms) and jitter the same way
 * every run; each is kept in `clients`, for the test to disconnect at the end.
 */
export function clientMaker(h: Harness, clients: ChatClient[]) {
  return (options: Partial<ChatClientOptions> = {}) => {
    const client = new ChatClient({
      apiKey: h.apiKey,
      baseUrl: h.server.url,
      connection: { backoff: { baseMs: 300, maxMs: 300 } },
      ...options,
      env: { random: () => 0.99, ...options.env },
    });
    clients.push(client);
    return client;
  };
}

/** Every top-level message of a channel stored on the server, oldest first, as `reader` reads them over REST. */
export async function storedMessages(reader: ChatClient, channel: { type: ChannelType; id: string }) {
  const { messages } = await reader.http.request('listMessages', {
    params: { type: channel.type, id: channel.id },
    query: { limit: 100 },
  });
  return messages.filter((m) => m.parent_id === null);
}

/** Resolves once `predicate` holds for the store's value. */
export function until<T>(store: ReadableStore<T>, predicate: (value: T) => boolean, ms = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    if (predicate(store.getSnapshot())) return resolve(store.getSnapshot());
    const timer = setTimeout(() => {
      stop();
      reject(
        new Error(`Timed out waiting; last value: ${JSON.stringify(store.getSnapshot()).slice(0, 500)}`),
      );
    }, ms);
    const stop = store.subscribe(() => {
      if (!predicate(store.getSnapshot())) return;
      clearTimeout(timer);
      stop();
      resolve(store.getSnapshot());
    });
  });
}
