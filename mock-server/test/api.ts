import { randomUUID } from 'node:crypto';
import { createServerToken, createUserToken } from '../src/domain/auth/index';
import { type ChatServer, type ChatServerOptions, createChatServer } from '../src/startup/server';
import type { AppRow } from '../src/store/schema';
import { createTestApp, getTestStore, TEST_SECRET_KEY } from './harness';
import { assertDocumentedResponse } from './openapi-contract';

/** An in-process server on the worker's shared database, on a free port, with `options`. */
export async function startTestServer(options: ChatServerOptions = {}): Promise<ChatServer> {
  return createChatServer({
    store: await getTestStore(),
    port: 0,
    host: '127.0.0.1',
    seedDemo: false,
    logLevel: 'silent',
    secretKey: TEST_SECRET_KEY,
    ...options,
  });
}

/** One in-process server per test file, on the worker's shared database, on a free port. */
let serverPromise: Promise<ChatServer> | undefined;
export function getTestServer(): Promise<ChatServer> {
  // Tests write fast (a thousand messages for pagination); the budget has tests of its own
  // (abuse-limits, ws-limits).
  serverPromise ??= startTestServer({ realtime: { writes: { points: 100_000, durationSeconds: 10 } } });
  return serverPromise;
}

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A tiny HTTP client for tests: JSON in, JSON out, never throws on 4xx. */
export class Api {
  constructor(
    readonly baseUrl: string,
    readonly apiKey: string,
    readonly token?: string,
  ) {}

  as(token: string | undefined): Api {
    return new Api(this.baseUrl, this.apiKey, token);
  }

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply<T>> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: {
        'x-api-key': this.apiKey,
        ...(this.token && { authorization: `Bearer ${this.token}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    const reply = {
      status: response.status,
      body: text ? JSON.parse(text) : null,
      headers: response.headers,
    };
    // Every answer a test sees is held to the OpenAPI document (openapi-contract.ts).
    assertDocumentedResponse(method, path, reply.status, reply.body);
    return reply;
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body: unknown = {}) {
    return this.request<T>('POST', path, body);
  }
  put<T = any>(path: string, body: unknown = {}) {
    return this.request<T>('PUT', path, body);
  }
  patch<T = any>(path: string, body: unknown = {}) {
    return this.request<T>('PATCH', path, body);
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }
}

export interface TestApp {
  app: AppRow;
  /** Server-side client (token with `server: true`). */
  server: Api;
  /** Unauthenticated client (api key only). */
  anonymous: Api;
  /** A client acting as `userId` (created on first use). */
  user(userId: string): Promise<Api>;
  /** Creates users with display names, server-side. */
  users(...ids: string[]): Promise<Api[]>;
}

/** A fresh application on the shared test server: tests isolate by app, not by database. */
export async function newTestApp(overrides: Parameters<typeof createTestApp>[1] = {}): Promise<TestApp> {
  return testAppOn(await getTestServer(), overrides);
}

/** A fresh application on `server`, with server-side, anonymous and per-user clients. */
export async function testAppOn(
  server: ChatServer,
  overrides: Parameters<typeof createTestApp>[1] = {},
): Promise<TestApp> {
  const app = await createTestApp(server.store.db, overrides);
  const anonymous = new Api(server.url, app.api_key);
  const serverApi = anonymous.as(await createServerToken(app.api_secret));
  const user = async (userId: string) => anonymous.as(await createUserToken(app.api_secret, userId));
  return {
    app,
    server: serverApi,
    anonymous,
    user,
    async users(...ids: string[]) {
      const reply = await serverApi.post('/v1/users', {
        users: ids.map((id) => ({ id, name: id.toUpperCase() })),
      });
      if (reply.status !== 200) throw new Error(`upsert users failed: ${JSON.stringify(reply.body)}`);
      return Promise.all(ids.map(user));
    },
  };
}

export const clientId = () => randomUUID();
