import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, startServer } from '../../test/e2e-harness';
import type { PushRegistration } from '../devices';
import { ChatError } from '../errors';

let h: Awaited<ReturnType<typeof startServer>>;
let alice: Awaited<ReturnType<typeof connectClient>>;

beforeAll(async () => {
  h = await startServer();
  alice = await connectClient(h, 'alice');
}, 60_000);

afterAll(async () => {
  await alice?.client.disconnect();
  await h?.server.close();
});

/** A service worker registration whose push manager hands out one subscription. */
function fakeRegistration(endpoint: string) {
  const calls: { applicationServerKey: Uint8Array }[] = [];
  let subscription: { toJSON(): unknown } | null = null;
  const registration: PushRegistration = {
    pushManager: {
      getSubscription: async () => subscription,
      subscribe: async (options) => {
        calls.push(options);
        subscription = {
          toJSON: () => ({
            endpoint,
            expirationTime: null,
            keys: { p256dh: `B${'A'.repeat(86)}`, auth: 'A'.repeat(22) },
          }),
        };
        return subscription;
      },
    },
  };
  return { registration, calls };
}

describe('push devices, against the reference server', () => {
  it('registers, lists and removes a native token', async () => {
    const device = await alice.client.devices.register({
      provider: 'fcm',
      token: 'fcm-token-e2e',
      name: 'Pixel',
    });
    expect(device).toMatchObject({ provider: 'fcm', token: 'fcm-token-e2e', name: 'Pixel' });
    expect((await alice.client.devices.list()).map((d) => d.id)).toEqual([device.id]);
    await alice.client.devices.remove(device.id);
    expect(await alice.client.devices.list()).toEqual([]);
    await expect(alice.client.devices.remove(device.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('reads and changes the push preferences', async () => {
    expect(await alice.client.devices.preferences()).toEqual({ level: 'all', dnd_until: null, channels: [] });
    await alice.client.channels.create({ type: 'messaging', id: 'prefs', members: ['alice'] });
    const changed = await alice.client.devices.setPreferences({
      level: 'mentions',
      channels: [{ cid: 'messaging:prefs', level: 'none' }],
    });
    expect(changed).toEqual({
      level: 'mentions',
      dnd_until: null,
      channels: [{ cid: 'messaging:prefs', level: 'none' }],
    });
    await expect(alice.client.devices.setPreferences({ level: 'loud' as 'all' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('subscribes a browser with the app’s VAPID key once Web Push is on, and reuses the subscription', async () => {
    const { registration, calls } = fakeRegistration('https://push.example.com/send/e2e');
    await expect(alice.client.devices.enableWebPush(registration)).rejects.toBeInstanceOf(ChatError);
    expect(calls).toEqual([]);

    const reply = await fetch(`${h.server.url}/v1/push/web`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        'x-api-key': h.apiKey,
        authorization: `Bearer ${await h.serverToken()}`,
      },
      body: JSON.stringify({ subject: 'mailto:ops@example.com' }),
    });
    expect(reply.status).toBe(200);
    const { web } = (await reply.json()) as { web: { vapid_public_key: string } };

    const device = await alice.client.devices.enableWebPush(registration, { name: 'Firefox' });
    expect(device).toMatchObject({
      provider: 'web',
      token: 'https://push.example.com/send/e2e',
      name: 'Firefox',
    });
    expect(calls).toHaveLength(1);
    expect(Buffer.from(calls[0]!.applicationServerKey).toString('base64url')).toBe(web.vapid_public_key);
    // Again: the browser's subscription is reused, the device refreshed, not doubled.
    const again = await alice.client.devices.enableWebPush(registration);
    expect(again.id).toBe(device.id);
    expect(calls).toHaveLength(1);
    expect(await alice.client.devices.list()).toHaveLength(1);
  });
});
