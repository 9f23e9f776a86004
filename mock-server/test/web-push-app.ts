import { expect } from 'vitest';
import { type ChatServer, createChatServer } from '../src/startup/server';
import { openStore, type Store } from '../src/store/database';
import { testAppOn } from './api';
import { newTestSchema, TEST_SECRET_KEY, testDatabase, testDatabaseUrl } from './harness';
import { type BrowserSubscription, FakePushService } from './push-service';

export const WEB_PUSH_SUBJECT = 'mailto:ops@example.com';

/**
 * A server with a store of its own (so no other worker takes its push jobs) and a fake push
 * service it may reach (on loopback, with a certificate of its own), for the Web Push suites.
 */
export async function startWebPushServer() {
  const service = new FakePushService();
  await service.start();
  const store: Store =
    testDatabase === 'postgres'
      ? await openStore({ databaseUrl: testDatabaseUrl(), schema: newTestSchema(), poolSize: 4 })
      : await openStore({ dataDir: 'memory' });
  const server: ChatServer = await createChatServer({
    store,
    port: 0,
    seedDemo: false,
    logLevel: 'silent',
    secretKey: TEST_SECRET_KEY,
    webhooks: { allowCidrs: ['127.0.0.1/32'] },
    push: { ca: service.ca, timeoutMs: 5_000 },
  });

  /** An app with Web Push on, and users who subscribed a browser each. */
  async function pushApp(...names: string[]) {
    const t = await testAppOn(server);
    const apis = await t.users(...names);
    const web = await t.server.put('/v1/push/web', { subject: WEB_PUSH_SUBJECT });
    expect(web.status, JSON.stringify(web.body)).toBe(200);
    const subscriptions = new Map<string, BrowserSubscription>();
    for (const [i, name] of names.entries()) {
      const subscription = service.subscribe(`${t.app.id}-${name}`);
      const { endpoint, keys } = subscription;
      const reply = await apis[i]!.post('/v1/devices', { provider: 'web', subscription: { endpoint, keys } });
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
      subscriptions.set(name, subscription);
    }
    const user = (name: string) => apis[names.indexOf(name)]!;
    /** What reached `name`'s browser, decrypted. */
    const received = (name: string) =>
      service
        .to(subscriptions.get(name)!.name)
        .map((r) => FakePushService.decrypt(r, subscriptions.get(name)!));
    return { t, user, vapidKey: web.body.web.vapid_public_key as string, subscriptions, received };
  }

  return {
    server,
    service,
    pushApp,
    async close() {
      await server.close();
      await store.close();
      await service.close();
    },
  };
}

/** Long enough for a push that should not come to have come. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));
