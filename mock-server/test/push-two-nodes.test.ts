import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserToken } from '../src/domain/auth/index';
import type { ChatServer } from '../src/startup/server';
import { testAppOn } from './api';
import { TEST_SECRET_KEY } from './harness';
import { type BrowserSubscription, FakePushService } from './push-service';
import { createChannel, send } from './rest-helpers';
import { twoNodesRun, useTwoNodes } from './two-nodes';
import { WsClient } from './ws-client';

/**
 * Push across two nodes on PostgreSQL and Redis, each running the API, the socket and a worker:
 * a member connected to one node gets no push for a message sent on the other; an offline
 * member gets exactly one, though two workers share the queue.
 */

const service = new FakePushService();

describe.skipIf(!twoNodesRun('push'))('push on two nodes', () => {
  beforeAll(() => service.start());
  afterAll(() => service.close());
  const { nodes } = useTwoNodes('push2', () => ({
    secretKey: TEST_SECRET_KEY,
    webhooks: { allowCidrs: ['127.0.0.1/32'] },
    push: { ca: service.ca, timeoutMs: 5_000 },
  }));

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
