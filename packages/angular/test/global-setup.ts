import { randomBytes } from 'node:crypto';
import { createChatServer } from '@chat/server';
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
 * Starts the reference server (`@chat/server`) in the Vitest process, on a throwaway in-memory
 * database, with one fresh application that lets users register. It runs here rather than in a
 * test file because test files get jsdom's globals (timers, `crypto` without `subtle`), and the
 * server needs Node's.
 */
export default async function startChatServer(project: TestProject) {
  const server = await createChatServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: 'memory',
    seedDemo: false,
    logLevel: 'silent',
  });
  const apiKey = randomBytes(12).toString('base64url');
  await server.store.db
    .insertInto('applications')
    .values({
      name: `angular e2e ${randomBytes(4).toString('hex')}`,
      api_key: apiKey,
      api_secret: randomBytes(32).toString('base64url'),
      allow_registration: true,
    })
    .execute();
  project.provide('chatServer', { url: server.url, apiKey });
  return () => server.close();
}
