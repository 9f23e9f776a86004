import { randomBytes } from 'node:crypto';
import { ChatClient, type WebSocketLike } from '@chat/core';
import { createChatServer, createUserToken } from '@chat/server';
import { setupServer } from 'msw/node';
import { createChatTestkit } from '../src/index';

/** A chat backend the same scenario runs against: the reference server, or the kit under msw. */
export interface Backend {
  name: string;
  /** A client of `userId`, connected, whose sockets the scenario can drop. */
  connect(userId: string): Promise<{ client: ChatClient; drop(): void }>;
  close(): Promise<void>;
}

/**
 * A connected client whose sockets are tracked, so a test drops its socket from the client's side
 * as a network failure would (both backends see the same thing). It comes back after 300 ms.
 */
async function trackedClient(baseUrl: string, apiKey: string, userId: string, token: string) {
  const sockets: WebSocketLike[] = [];
  // Looked up now: under msw, the global WebSocket is msw's interceptor.
  const Base = globalThis.WebSocket as unknown as new (url: string) => WebSocketLike;
  class Tracked extends Base {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  const client = new ChatClient({
    apiKey,
    baseUrl,
    env: { WebSocket: Tracked, random: () => 0.99 },
    connection: { backoff: { baseMs: 300, maxMs: 300 } },
  });
  await client.connect({ id: userId }, token);
  return { client, drop: () => sockets.at(-1)?.close(3000, 'test drop') };
}

/** The reference server in this process, on an in-memory database, with one fresh application. */
export async function referenceServer(): Promise<Backend> {
  const server = await createChatServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: 'memory',
    seedDemo: false,
    logLevel: 'silent',
    http: { registrationsPerIpPerHour: 100_000, registrationsPerAppPerHour: 100_000 },
    realtime: { writes: { points: 100_000, durationSeconds: 10 } },
  });
  const apiKey = randomBytes(12).toString('base64url');
  const apiSecret = randomBytes(32).toString('base64url');
  await server.store.db
    .insertInto('applications')
    .values({
      name: `testkit contract ${randomBytes(4).toString('hex')}`,
      api_key: apiKey,
      api_secret: apiSecret,
    })
    .execute();
  const clients: ChatClient[] = [];
  return {
    name: 'reference server',
    async connect(userId) {
      const tracked = await trackedClient(
        server.url,
        apiKey,
        userId,
        await createUserToken(apiSecret, userId),
      );
      clients.push(tracked.client);
      return tracked;
    },
    async close() {
      for (const client of clients) client.disconnect();
      await server.close();
    },
  };
}

/** The test kit behind msw's `setupServer`: no server at all. */
export async function testkit(): Promise<Backend> {
  const kit = createChatTestkit();
  const msw = setupServer(...kit.handlers);
  msw.listen({ onUnhandledFrame: 'error' });
  const clients: ChatClient[] = [];
  return {
    name: '@chat/testkit',
    async connect(userId) {
      const tracked = await trackedClient(kit.baseUrl, kit.apiKey, userId, kit.tokenFor(userId));
      clients.push(tracked.client);
      return tracked;
    },
    async close() {
      for (const client of clients) client.disconnect();
      msw.close();
      if (kit.protocolErrors.length) throw kit.protocolErrors[0];
    },
  };
}
