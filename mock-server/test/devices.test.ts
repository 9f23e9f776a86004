import { LIMITS } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { newTestApp } from './api';
import { expectError, expectInvalid } from './rest-helpers';

/**
 * Push devices over REST: a user registers, lists and removes their own; a token belongs to one
 * user at a time (a shared phone moves to whoever registered it last); at most 25 per user, the
 * oldest dropped; bad input is refused and changes nothing.
 */

const webKeys = { p256dh: `B${'A'.repeat(86)}`, auth: 'A'.repeat(22) };
const apnsToken = 'ab'.repeat(32);

describe('push devices', () => {
  it('registers each kind, lists them newest first, and answers the same device for a repeat', async () => {
    const t = await newTestApp();
    const [alice] = await t.users('alice');
    const fcm = await alice!.post('/v1/devices', { provider: 'fcm', token: 'fcm-token-1', name: 'Pixel' });
    expect(fcm.status).toBe(201);
    expect(fcm.body.device).toMatchObject({
      provider: 'fcm',
      token: 'fcm-token-1',
      environment: null,
      name: 'Pixel',
    });
    const apns = await alice!.post('/v1/devices', {
      provider: 'apns',
      token: apnsToken.toUpperCase(),
      environment: 'sandbox',
    });
    // Hex tokens are kept in lower case: the same phone registered twice is one device.
    expect(apns.body.device).toMatchObject({ provider: 'apns', token: apnsToken, environment: 'sandbox' });
    const web = await alice!.post('/v1/devices', {
      provider: 'web',
      subscription: { endpoint: 'https://push.example.com/sub/1', expirationTime: null, keys: webKeys },
    });
    expect(web.body.device).toMatchObject({ provider: 'web', token: 'https://push.example.com/sub/1' });

    const again = await alice!.post('/v1/devices', { provider: 'apns', token: apnsToken });
    expect(again.body.device.id).toBe(apns.body.device.id);
    // No environment given: production.
    expect(again.body.device.environment).toBe('production');

    const list = await alice!.get('/v1/devices');
    expect(list.status).toBe(200);
    expect(list.body.devices.map((d: { id: string }) => d.id)).toEqual([
      apns.body.device.id,
      web.body.device.id,
      fcm.body.device.id,
    ]);
  });

  it('moves a token to the user who registers it next (a shared phone)', async () => {
    const t = await newTestApp();
    const [alice, bob] = await t.users('alice', 'bob');
    const first = await alice!.post('/v1/devices', { provider: 'fcm', token: 'shared-phone' });
    const second = await bob!.post('/v1/devices', { provider: 'fcm', token: 'shared-phone' });
    expect(second.status).toBe(201);
    expect(second.body.device.id).toBe(first.body.device.id);
    expect((await alice!.get('/v1/devices')).body.devices).toEqual([]);
    expect((await bob!.get('/v1/devices')).body.devices.map((d: { token: string }) => d.token)).toEqual([
      'shared-phone',
    ]);
    // The same token of another provider is another device.
    await alice!.post('/v1/devices', {
      provider: 'web',
      subscription: { endpoint: 'https://push.example.com/shared-phone', keys: webKeys },
    });
    expect((await bob!.get('/v1/devices')).body.devices).toHaveLength(1);
  });

  it(`keeps at most ${LIMITS.DEVICES_PER_USER} per user, dropping the one registered longest ago`, async () => {
    const t = await newTestApp();
    const [alice] = await t.users('alice');
    const ids: string[] = [];
    for (let i = 0; i <= LIMITS.DEVICES_PER_USER; i++)
      ids.push((await alice!.post('/v1/devices', { provider: 'fcm', token: `phone-${i}` })).body.device.id);
    const kept = (await alice!.get('/v1/devices')).body.devices.map((d: { id: string }) => d.id);
    expect(kept).toHaveLength(LIMITS.DEVICES_PER_USER);
    expect(kept).not.toContain(ids[0]);
    expect(kept[0]).toBe(ids.at(-1));
  });

  it('removes a device of the caller only; server tokens have no devices', async () => {
    const t = await newTestApp();
    const [alice, bob] = await t.users('alice', 'bob');
    const own = (await alice!.post('/v1/devices', { provider: 'fcm', token: 'alice-phone' })).body.device;
    const bobs = (await bob!.post('/v1/devices', { provider: 'fcm', token: 'bob-phone' })).body.device;
    expectError(await alice!.delete(`/v1/devices/${bobs.id}`), 404, 'not_found');
    expect((await bob!.get('/v1/devices')).body.devices).toHaveLength(1);
    expect((await alice!.delete(`/v1/devices/${own.id}`)).status).toBe(200);
    expect((await alice!.get('/v1/devices')).body.devices).toEqual([]);
    expectError(await alice!.delete(`/v1/devices/${own.id}`), 404, 'not_found');
    expectInvalid(await alice!.delete('/v1/devices/not-a-uuid'), ['deviceId']);
    expectError(await t.server.get('/v1/devices'), 403, 'forbidden');
    expectError(await t.server.post('/v1/devices', { provider: 'fcm', token: 'x' }), 403, 'forbidden');
  });

  it('refuses bad registrations with the field named, and stores nothing', async () => {
    const t = await newTestApp();
    const [alice] = await t.users('alice');
    const web = (endpoint: string, keys: Record<string, string> = webKeys) => ({
      provider: 'web',
      subscription: { endpoint, keys },
    });
    const cases: [unknown, (string | number)[]][] = [
      [{ provider: 'sms', token: 'x' }, ['provider']],
      [{ provider: 'fcm' }, ['token']],
      [{ provider: 'fcm', token: 'has space' }, ['token']],
      [{ provider: 'fcm', token: 'x'.repeat(LIMITS.PUSH_TOKEN_LENGTH + 1) }, ['token']],
      [{ provider: 'apns', token: 'not hex at all, not hex at all, not hex' }, ['token']],
      [{ provider: 'apns', token: apnsToken, environment: 'staging' }, ['environment']],
      [{ provider: 'fcm', token: 'ok', extra: 1 }, []],
      [web('http://push.example.com/x'), ['subscription', 'endpoint']],
      [web('https://user:pw@push.example.com/x'), ['subscription', 'endpoint']],
      [
        web(`https://push.example.com/${'x'.repeat(LIMITS.PUSH_ENDPOINT_LENGTH)}`),
        ['subscription', 'endpoint'],
      ],
      [
        web('https://push.example.com/x', { ...webKeys, p256dh: 'short' }),
        ['subscription', 'keys', 'p256dh'],
      ],
      [
        web('https://push.example.com/x', { ...webKeys, auth: `${'A'.repeat(21)}=` }),
        ['subscription', 'keys', 'auth'],
      ],
      [{ provider: 'fcm', token: 'ok', name: 'x'.repeat(LIMITS.NAME_LENGTH + 1) }, ['name']],
    ];
    for (const [body, path] of cases) {
      const reply = await alice!.post('/v1/devices', body);
      expectError(reply, 400, 'validation_failed');
      if (path.length > 0) expectInvalid(reply, path);
    }
    expect((await alice!.get('/v1/devices')).body.devices).toEqual([]);
  });
});
