import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserToken } from '../src/domain/auth/index';
import { type ChatServer, createChatServer } from '../src/startup/server';
import { openStore, type Store } from '../src/store/database';
import { testAppOn } from './api';
import { newTestSchema, TEST_SECRET_KEY, testDatabase, testDatabaseUrl } from './harness';
import { type BrowserSubscription, FakePushService } from './push-service';
import { createChannel, send } from './rest-helpers';
import { WsClient } from './ws-client';

/**
 * Push across two nodes on PostgreSQL and Redis, each running the API, the socket and a worker:
 * a member connected to one node gets no push for a message sent on the other; an offline
 * member gets exactly one, though two workers share the queue.
 */

const redisUrl = process.env.REDIS_URL || undefined;
const SKIPPED = 'push two-node suite skipped: DATABASE_URL and REDIS_URL are needed';
let runs = false;
if (testDatabase !== 'postgres') {
  // The pglite project has no shared database for two nodes; the postgres project runs this.
} else if (!redisUrl) {
  if (process.env.CHAT_REQUIRE_SERVICES === '1') throw new Error(`CHAT_REQUIRE_SERVICES=1 but ${SKIPPED}`);
  console.warn(SKIPPED);
} else {
  runs = true;
}

const service = new FakePushService();
let store: Store;
const nodes: ChatServer[] = [];

beforeAll(async () => {
  if (!runs) return;
  await service.start();
  store = await openStore({ databaseUrl: testDatabaseUrl(), schema: newTestSchema(), poolSize: 8 });
  const redisPrefix = `push2:${randomBytes(4).toString('hex')}:`;
  for (let i = 0; i < 2; i++)
    nodes.push(
      await createChatServer({
        store,
        port: 0,
        seedDemo: false,
        logLevel: 'silent',
        redisUrl,
        redisPrefix,
        secretKey: TEST_SECRET_KEY,
        webhooks: { allowCidrs: ['127.0.0.1/32'] },
        push: { ca: service.ca, timeoutMs: 5_000 },
      }),
    );
}, 60_000);
afterAll(async () => {
  for (const node of nodes) await node.close();
  await store?.close();
  await service.close();
});

describe.skipIf(!runs)('push on two nodes', () => {
  it('skips a member connected to the other node, and pushes an offline one once', async () => {
    const [one, two] = nodes as [ChatServer, ChatServer];
    const t = await testAppOn(one);
    const [alice, bob, erin] = await t.users('alice', 'bob', 'erin');
    expect((await t.server.put('/v1/push/web', { subject: 'mailto:ops@example.com' })).status).toBe(200);
    const subscriptions = new Map<string, BrowserSubscription>();
    for (const [name, api] of [
      ['bob', bob],
      ['erin', erin],
    ] as const) {
      const subscription = service.subscribe(`${t.app.id}-${name}`);
      await api!.post('/v1/devices', {
        provider: 'web',
        subscription: { endpoint: subscription.endpoint, keys: subscription.keys },
      });
      subscriptions.set(name, subscription);
    }
    const erinSocket = await WsClient.connect(
      two.wsUrl,
      t.app.api_key,
      await createUserToken(t.app.api_secret, 'erin'),
    );
    try {
      // Online as every node sees it (the database), before the message.
      await expect.poll(async () => (await t.server.get('/v1/users/erin')).body.user.online).toBe(true);
      const cid = await createChannel(alice!, 'two-nodes', ['bob', 'erin']);
      await send(alice!, cid, 'across nodes');
      await expect.poll(() => service.to(subscriptions.get('bob')!.name).length, { timeout: 15_000 }).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(service.to(subscriptions.get('bob')!.name)).toHaveLength(1);
      expect(service.to(subscriptions.get('erin')!.name)).toEqual([]);
      expect(
        (
          FakePushService.decrypt(
            service.to(subscriptions.get('bob')!.name)[0]!,
            subscriptions.get('bob')!,
          ) as { body: string }
        ).body,
      ).toBe('across nodes');
    } finally {
      erinSocket.close();
    }
  });
});
