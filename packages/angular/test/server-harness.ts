import { ChatClient } from '@chat/core';
import { inject } from 'vitest';

/** A suffix that keeps one test file's users and channels apart from another's (they share the server). */
export const unique = () => Math.random().toString(36).slice(2, 10);

/** A client of the test application on the server of `global-setup.ts`, not connected yet. */
export function newClient(): ChatClient {
  const { url, apiKey } = inject('chatServer');
  return new ChatClient({ apiKey, baseUrl: url });
}

/**
 * A client connected as a new user `username` (also the user's id). It registers through the
 * server's own accounts, so the test signs no token (jsdom's `crypto` has no `subtle` for it).
 */
export async function connectClient(username: string): Promise<ChatClient> {
  const client = newClient();
  await client.auth.register({ username, password: 'angular-e2e-password' });
  return client;
}
