import { ChatClient, type ReadableStore, type WebSocketConstructor, type WebSocketLike } from '@chat/core';
import { createElement, type ReactNode } from 'react';
import { inject } from 'vitest';
import { ChatProvider } from '../src/chat-context';

/** Each test file gets its own users: one server serves the whole run. */
const run = Math.random().toString(36).slice(2, 8);

/** The user id of `name` in this test file. */
export const userId = (name: string) => `${name}-${run}`;

/** Frames a client sent, by type (e.g. how many `channel.watch`), from its wrapped sockets. */
export interface Traffic {
  sockets: WebSocketLike[];
  frames: { type: string; cid?: string }[];
  count(type: string, cid?: string): number;
}

/**
 * A client of the test application (not connected) whose sockets are counted and whose sent
 * frames are recorded, through the injectable `env.WebSocket`: no global is patched.
 */
export function trackedClient(): { client: ChatClient; traffic: Traffic } {
  const traffic: Traffic = {
    sockets: [],
    frames: [],
    count: (type, cid) => traffic.frames.filter((f) => f.type === type && (!cid || f.cid === cid)).length,
  };
  const Base = globalThis.WebSocket as unknown as WebSocketConstructor;
  class TrackedWebSocket extends Base {
    constructor(url: string) {
      super(url);
      traffic.sockets.push(this);
    }
    override send(data: string): void {
      traffic.frames.push(JSON.parse(data));
      super.send(data);
    }
  }
  const { url, apiKey } = inject('chatServer');
  const client = new ChatClient({ apiKey, baseUrl: url, env: { WebSocket: TrackedWebSocket } });
  return { client, traffic };
}

/** Connects `client` as a newly registered user `name` (the real password path). */
export async function register(client: ChatClient, name: string) {
  return client.auth.register({ username: userId(name), password: 'correct horse battery', name });
}

/** A connected client of user `name`, with its traffic. */
export async function connectUser(name: string) {
  const tracked = trackedClient();
  await register(tracked.client, name);
  return tracked;
}

/**
 * Testing Library options: `<ChatProvider client>` around the hook, in StrictMode unless told
 * otherwise. StrictMode goes at the root (`reactStrictMode`), as in an app: React replays the
 * effects of a new subtree only when the StrictMode is above it, so a `<StrictMode>` inside a
 * wrapper component would replay nothing.
 */
export function inProvider(client: ChatClient, strict = true) {
  return {
    wrapper: ({ children }: { children: ReactNode }) => createElement(ChatProvider, { client }, children),
    reactStrictMode: strict,
  };
}

/** Resolves once `predicate` holds for the store's value. */
export function until<T>(store: ReadableStore<T>, predicate: (value: T) => boolean, ms = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    if (predicate(store.getSnapshot())) return resolve(store.getSnapshot());
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`Timed out; last value: ${JSON.stringify(store.getSnapshot()).slice(0, 300)}`));
    }, ms);
    const stop = store.subscribe(() => {
      if (!predicate(store.getSnapshot())) return;
      clearTimeout(timer);
      stop();
      resolve(store.getSnapshot());
    });
  });
}
