import { randomBytes } from 'node:crypto';
import { createChatServer } from '@chat/server';
import type { TestProject } from 'vitest/node';

/**
 * Starts the reference server once per `vitest run`, in this (the main, plain Node) process, on an
 * in-memory database with one fresh application that allows registration. Not inside the test
 * files: their jsdom realm has its own `Uint8Array`, which the server's JWT library refuses.
 */
export default async function setup(project: TestProject) {
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
      name: 'ui-react e2e',
      api_key: apiKey,
      api_secret: randomBytes(32).toString('base64url'),
      allow_registration: true,
    })
    .execute();
  project.provide('chatServer', { url: server.url, apiKey });
  return () => server.close();
}
