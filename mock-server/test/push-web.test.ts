import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserToken } from '../src/domain/auth/index';
import type { ChatServer } from '../src/startup/server';
import { testAppOn } from './api';
import { FakePushService } from './push-service';
import { createChannel, send } from './rest-helpers';
import { settle, startWebPushServer, WEB_PUSH_SUBJECT } from './web-push-app';
import { WsClient } from './ws-client';

/**
 * Web Push end to end: a new message reaches the browsers of the channel's members who are not
 * connected, encrypted for each subscription and signed with the app's VAPID key (both checked
 * here as a browser and a push service would); not the sender, not a member who muted the
 * channel, is banned, or has a live socket; exactly once per device, also when the push service
 * asks to retry later; a subscription the service says is gone is removed. A store of this
 * file's own, so no other worker takes its jobs.
 */

let h: Awaited<ReturnType<typeof startWebPushServer>>;
let server: ChatServer;
let service: FakePushService;
const pushApp = (...names: string[]) => h.pushApp(...names);

beforeAll(async () => {
  h = await startWebPushServer();
  server = h.server;
  service = h.service;
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('Web Push', () => {
  it('reaches offline members only, encrypted for each browser and signed with the app key', async () => {
    const { t, user, vapidKey, subscriptions } = await pushApp('alice', 'bob', 'carol', 'dave', 'erin');
    const to = (name: string) => service.to(subscriptions.get(name)!.name);
    expect((await user('bob').get('/v1/push/config')).body).toEqual({ web: { vapid_public_key: vapidKey } });
    const cid = await createChannel(user('alice'), 'push-room', ['bob', 'carol', 'dave', 'erin']);
    const path = `/v1/channels/${cid.replace(':', '/')}`;
    expect((await user('carol').post(`${path}/mute`)).status).toBe(200);
    expect((await user('alice').post(`${path}/bans`, { user_id: 'dave' })).status).toBe(200);
    // erin has the app open: she gets the message over her socket, not as a push.
    const erin = await WsClient.connect(
      server.wsUrl,
      t.app.api_key,
      await createUserToken(t.app.api_secret, 'erin'),
    );
    try {
      const message = await send(user('alice'), cid, 'Lunch at noon? 🍜');
      await expect.poll(() => to('bob').length, { timeout: 15_000 }).toBe(1);
      await settle();
      const [push] = to('bob');
      expect(FakePushService.decrypt(push!, subscriptions.get('bob')!)).toEqual({
        type: 'message.new',
        cid,
        message_id: message.id,
        sender_id: 'alice',
        title: 'ALICE',
        body: 'Lunch at noon? 🍜',
        // bob's unread total, as the server counts it.
        badge: 1,
        tag: cid,
      });
      expect(await FakePushService.verifyVapid(push!, service.url, WEB_PUSH_SUBJECT)).toBe(vapidKey);
      expect(push!.headers).toMatchObject({ 'content-encoding': 'aes128gcm', ttl: '86400', urgency: 'high' });
      expect(String(push!.headers.topic)).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
      // Nobody else: the sender, the muted, the banned, the connected.
      for (const name of ['alice', 'carol', 'dave', 'erin']) expect(to(name), name).toEqual([]);
    } finally {
      erin.close();
    }
  });

  it('follows each member’s preferences: levels, per channel, mentions and do-not-disturb', async () => {
    const { user, subscriptions } = await pushApp('alice', 'bob', 'carol', 'dave', 'erin', 'frank');
    const to = (name: string) => service.to(subscriptions.get(name)!.name);
    const cid = await createChannel(user('alice'), 'prefs-room', ['bob', 'carol', 'dave', 'erin', 'frank']);
    const set = async (name: string, body: unknown) => {
      const reply = await user(name).put('/v1/push/preferences', body);
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      return reply.body.preferences;
    };
    await set('bob', { level: 'mentions' });
    expect(await set('carol', { level: 'none', channels: [{ cid, level: 'all' }] })).toEqual({
      level: 'none',
      dnd_until: null,
      channels: [{ cid, level: 'all' }],
    });
    const later = new Date(Date.now() + 3_600_000).toISOString();
    await set('dave', { dnd_until: later });
    await set('erin', { level: 'mentions' });
    await set('frank', { channels: [{ cid, level: 'none' }] });
    // A channel frank is not in: refused, and nothing of his changed.
    const refused = await user('frank').put('/v1/push/preferences', {
      level: 'none',
      channels: [{ cid: 'messaging:not-his', level: 'all' }],
    });
    expect(refused.status).toBe(404);
    expect((await user('frank').get('/v1/push/preferences')).body.preferences).toEqual({
      level: 'all',
      dnd_until: null,
      channels: [{ cid, level: 'none' }],
    });

    await send(user('alice'), cid, 'erin, look', { mentioned_user_ids: ['erin'] });
    await expect.poll(() => to('carol').length + to('erin').length, { timeout: 15_000 }).toBe(2);
    await settle();
    for (const name of ['bob', 'dave', 'frank']) expect(to(name), name).toEqual([]);

    // Do-not-disturb over: dave hears of the next one; bob (mentions only) still not.
    await set('dave', { dnd_until: null });
    await send(user('alice'), cid, 'second');
    await expect.poll(() => to('dave').length, { timeout: 15_000 }).toBe(1);
    await settle();
    expect(to('bob')).toEqual([]);
    expect(to('erin')).toHaveLength(1);
    expect(to('carol')).toHaveLength(2);
  });

  it('tries again after a Retry-After, pushing each device once, and removes a gone subscription', async () => {
    const { user, subscriptions } = await pushApp('alice', 'bob', 'carol');
    const name = (who: string) => subscriptions.get(who)!.name;
    const cid = await createChannel(user('alice'), 'retry-room', ['bob', 'carol']);
    service.answers.set(name('bob'), [{ status: 503, headers: { 'retry-after': '1' } }]);
    service.answers.set(name('carol'), [{ status: 410 }]);
    await send(user('alice'), cid, 'first');
    // bob: refused once, then delivered; carol: gone.
    await expect.poll(() => service.to(name('bob')).length, { timeout: 20_000 }).toBe(2);
    await expect
      .poll(async () => (await user('carol').get('/v1/devices')).body.devices, { timeout: 10_000 })
      .toEqual([]);
    await settle();
    expect(service.to(name('carol'))).toHaveLength(1);
    // carol's device is gone: the next message is pushed to bob alone.
    await send(user('alice'), cid, 'second');
    await expect.poll(() => service.to(name('bob')).length, { timeout: 15_000 }).toBe(3);
    await settle();
    expect(service.to(name('carol'))).toHaveLength(1);
    const bodies = service
      .to(name('bob'))
      .map((r) => (FakePushService.decrypt(r, subscriptions.get('bob')!) as { body: string }).body);
    expect(bodies).toEqual(['first', 'first', 'second']);
  });

  it('a push service down for a while: every push arrives once it is back, none twice', async () => {
    const { user, subscriptions } = await pushApp('alice', 'bob');
    const cid = await createChannel(user('alice'), 'outage-room', ['bob']);
    service.down = true;
    try {
      const sent = [];
      for (const text of ['one', 'two', 'three']) sent.push(await send(user('alice'), cid, text));
      // The first attempts and a retry fail (backoff 5 s, then 10 s).
      await new Promise((resolve) => setTimeout(resolve, 8_000));
      expect(service.to(subscriptions.get('bob')!.name)).toEqual([]);
      service.down = false;
      await expect.poll(() => service.to(subscriptions.get('bob')!.name).length, { timeout: 30_000 }).toBe(3);
      await settle();
      const ids = service
        .to(subscriptions.get('bob')!.name)
        .map(
          (r) => (FakePushService.decrypt(r, subscriptions.get('bob')!) as { message_id: string }).message_id,
        );
      expect(ids.sort()).toEqual(sent.map((m) => m.id).sort());
    } finally {
      service.down = false;
    }
  });

  it('sends nothing for an app without Web Push, and refuses bad settings without changing them', async () => {
    const t = await testAppOn(server);
    const [alice, bob] = await t.users('alice', 'bob');
    const subscription = service.subscribe(`${t.app.id}-bob`);
    await bob!.post('/v1/devices', {
      provider: 'web',
      subscription: { endpoint: subscription.endpoint, keys: subscription.keys },
    });
    expect((await bob!.get('/v1/push/config')).body).toEqual({ web: null });
    const cid = await createChannel(alice!, 'quiet-room', ['bob']);
    await send(alice!, cid, 'no push for this');
    for (const bad of [
      { subject: 'ops@example.com' },
      { subject: 'http://example.com' },
      { subject: WEB_PUSH_SUBJECT, vapid_public_key: 'short', vapid_private_key: 'A'.repeat(43) },
      { subject: WEB_PUSH_SUBJECT, vapid_private_key: 'A'.repeat(43) },
    ]) {
      const reply = await t.server.put('/v1/push/web', bad);
      expect(reply.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await bob!.get('/v1/push/config')).body).toEqual({ web: null });
    expect((await bob!.put('/v1/push/web', { subject: WEB_PUSH_SUBJECT })).status).toBe(403);
    await settle();
    expect(service.to(subscription.name)).toEqual([]);
  });
});
