import { expect } from 'vitest';
import { type ChatServer, createChatServer } from '../src/startup/server';
import { openStore, type Store } from '../src/store/database';
import { type Api, testAppOn } from './api';
import { newTestSchema, testDatabase, testDatabaseUrl } from './harness';
import { channelPath, createChannel } from './rest-helpers';

/**
 * Shared by the moderation review and audit suites: a server on a store of the file's own (so no
 * other worker takes its webhook deliveries), and a small world of reviewers and members.
 */
export async function moderationServer(): Promise<{ store: Store; server: ChatServer }> {
  const store =
    testDatabase === 'postgres'
      ? await openStore({ databaseUrl: testDatabaseUrl(), schema: newTestSchema(), poolSize: 4 })
      : await openStore({ dataDir: 'memory' });
  const server = await createChatServer({
    store,
    port: 0,
    seedDemo: false,
    logLevel: 'silent',
    webhooks: { allowCidrs: ['127.0.0.1/32'], retryDelaySeconds: 1, retryLimit: 2, timeoutMs: 5_000 },
  });
  return { store, server };
}

/**
 * An app with: alice, an app admin; bob, admin of `room` (its creator), with carol, dave and erin
 * in it, erin its moderator; and `side`, bob's channel with carol and dave, where erin is not.
 * Dave moderates nothing.
 */
export async function world(server: ChatServer) {
  const t = await testAppOn(server);
  const up = await t.server.post('/v1/users', {
    users: [
      { id: 'alice', name: 'Alice', role: 'admin' },
      ...['bob', 'carol', 'dave', 'erin'].map((id) => ({ id, name: id.toUpperCase() })),
    ],
  });
  expect(up.status).toBe(200);
  const [alice, bob, carol, dave, erin] = await Promise.all(
    ['alice', 'bob', 'carol', 'dave', 'erin'].map((id) => t.user(id)),
  );
  const room = await createChannel(bob!, 'room', ['carol', 'dave', 'erin']);
  const role = await bob!.patch(`${channelPath(room)}/members/erin`, { role: 'moderator' });
  expect(role.status, JSON.stringify(role.body)).toBe(200);
  const side = await createChannel(bob!, 'side', ['carol', 'dave']);
  return { t, alice: alice!, bob: bob!, carol: carol!, dave: dave!, erin: erin!, room, side };
}

export const report = (api: Api, messageId: string, reason = 'spam', note?: string) =>
  api.post(`/v1/messages/${messageId}/report`, { reason, ...(note !== undefined && { note }) });

export async function queue(api: Api, query = '') {
  const reply = await api.get(`/v1/moderation/queue${query}`);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body.items as { id: string; [key: string]: any }[];
}

export async function audit(api: Api, query = '') {
  const reply = await api.get(`/v1/moderation/audit${query}`);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body.entries as { action: string; [key: string]: any }[];
}

export const act = (api: Api, itemId: string, body: Record<string, unknown>) =>
  api.post(`/v1/moderation/queue/${itemId}/actions`, body);
