import type { ChatEvent, ChatEventType, EventOf } from '@chat/protocol';
import { createUserToken } from '../src/domain/auth/index';
import type { ChatServer } from '../src/startup/server';
import { type TestApp, testAppOn } from './api';
import { WsClient } from './ws-client';

/** Shared by the WebSocket test files that run a server of their own (short realtime timings). */

export interface WsTestApp extends TestApp {
  /** Opens a socket authenticated as `userId` (created on first use); closed by `closeSockets`. */
  connect(userId: string): Promise<WsClient>;
}

const open = new Set<WsClient>();

/** A fresh application on `server`, like `newTestApp` does on the shared test server. */
export async function appOn(server: ChatServer): Promise<WsTestApp> {
  const base = await testAppOn(server);
  const { app } = base;
  return {
    ...base,
    async connect(userId: string) {
      const client = await WsClient.connect(
        server.wsUrl,
        app.api_key,
        await createUserToken(app.api_secret, userId),
      );
      open.add(client);
      return client;
    },
  };
}

/** Closes every socket `connect` opened (call it in afterEach). */
export async function closeSockets(): Promise<void> {
  const closing = [...open].map((client) => {
    client.close();
    return client.waitForClose().catch(() => undefined);
  });
  open.clear();
  await Promise.all(closing);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The events of one type a client received so far, in arrival order. */
export function eventsOf<T extends ChatEventType>(client: WsClient, type: T): EventOf<T>[] {
  return client.events.filter((e): e is EventOf<T> => e.type === type);
}

/** Waits for the event of `type` matching `match`, typed. */
export function waitForEvent<T extends ChatEventType>(
  client: WsClient,
  type: T,
  match: (event: EventOf<T>) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<EventOf<T>> {
  return client.waitFor<EventOf<T>>((e) => e.type === type && match(e as EventOf<T>), timeoutMs);
}

/** Events other than the heartbeat, which a socket gets whatever happens. */
export const meaningful = (events: ChatEvent[]): ChatEvent[] =>
  events.filter((e) => e.type !== 'health.check');
