import { randomBytes } from 'node:crypto';
import { type ChatServerOptions, createChatServer } from '@chat/server';
import type { TestProject } from 'vitest/node';

/** What the tests get through `inject('chatServer')`. */
export interface ChatServerInfo {
  url: string;
  apiKey: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    chatServer: ChatServerInfo;
  }
}

/**
 * A vitest `globalSetup` that starts the reference server once per run, in vitest's own (plain
 * Node) process, on an in-memory database with one fresh application that lets users register.
 * Tests reach it with `inject('chatServer')`. Not inside the test files: their jsdom realm has
 * its own `Uint8Array` and timers, which the server's JWT library and timers refuse.
 *
 * @example
 * // test/global-setup.ts
 * export default chatServerSetup('react', { realtime: { presenceGraceMs: 200 } });
 */
export function chatServerSetup(name: string, options: Partial<ChatServerOptions> = {}) {
  return async function setup(project: TestProject) {
    const server = await createChatServer({
      port: 0,
      host: '127.0.0.1',
      dataDir: 'memory',
      seedDemo: false,
      logLevel: 'silent',
      ...options,
      // One address registers every test user of a run, and tests write fast: the sign-up
      // limits and the write budget are the server suite's to test, not these tests'.
      http: { registrationsPerIpPerHour: 100_000, registrationsPerAppPerHour: 100_000, ...options.http },
      realtime: { writes: { points: 100_000, durationSeconds: 10 }, ...options.realtime },
    });
    const apiKey = randomBytes(12).toString('base64url');
    await server.store.db
      .insertInto('applications')
      .values({
        name: `${name} tests ${randomBytes(4).toString('hex')}`,
        api_key: apiKey,
        api_secret: randomBytes(32).toString('base64url'),
        allow_registration: true,
      })
      .execute();
    project.provide('chatServer', { url: server.url, apiKey });
    return () => server.close();
  };
}
