import { MODERATION_LIMITS } from '@chat/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatServer } from '../src/startup/server';
import { type Api, clientId, startTestServer } from './api';
import { channelPath, expectError, expectInvalid, send } from './rest-helpers';
import { appOn, closeSockets, type WsTestApp } from './ws-fixtures';

/**
 * Slow mode: a member sends one message per cooldown in a channel that has one; moderators,
 * admins and the app's backend are exempt; the refusal says how long to wait, over REST and the
 * socket alike, and two sends at once cannot both pass.
 */

let server: ChatServer;
beforeAll(async () => {
  // These tests send in bursts; the write budget is not what they test.
  server = await startTestServer({ realtime: { writes: { points: 10_000, durationSeconds: 10 } } });
});
afterAll(() => server?.close());
afterEach(closeSockets);

/** A team channel run by alice (its admin), with bob and carol as members. */
async function room(t: WsTestApp, cooldown = 60) {
  const [alice, bob, carol] = await t.users('alice', 'bob', 'carol');
  const created = await alice!.post('/v1/channels', { type: 'team', id: 'room', members: ['bob', 'carol'] });
  expect(created.status).toBe(201);
  const cid: string = created.body.channel.cid;
  const path = channelPath(cid);
  if (cooldown > 0) {
    const set = await alice!.put(`${path}/slow-mode`, { slow_mode_s: cooldown });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
  }
  return { alice: alice!, bob: bob!, carol: carol!, cid, path };
}

const post = (api: Api, path: string, text: string, extra: Record<string, unknown> = {}) =>
  api.post(`${path}/messages`, { client_msg_id: clientId(), text, ...extra });

/** Moves a member's last counted send back in time, as if the cooldown had passed. */
async function backdate(t: WsTestApp, userId: string, seconds: number) {
  const db = server.store.db;
  const user = await db
    .selectFrom('app_users')
    .select('id')
    .where('app_id', '=', t.app.id)
    .where('external_id', '=', userId)
    .executeTakeFirstOrThrow();
  await db
    .updateTable('channel_members')
    .set({ last_sent_at: new Date(Date.now() - seconds * 1000) })
    .where('app_user_id', '=', user.id)
    .execute();
}

async function texts(api: Api, path: string): Promise<string[]> {
  const reply = await api.get(`${path}/messages?limit=100`);
  expect(reply.status).toBe(200);
  return reply.body.messages
    .filter((m: { type: string }) => m.type !== 'system')
    .map((m: { text: string }) => m.text);
}

describe('setting slow mode', () => {
  it('is set by a moderator, shown on the channel, and refused to members, out of range, and across apps', async () => {
    const t = await appOn(server);
    const { alice, bob, path } = await room(t, 0);
    expect((await alice.get(path)).body.channel.slow_mode_s).toBe(0);

    const set = await alice.put(`${path}/slow-mode`, { slow_mode_s: 30 });
    expect(set.status).toBe(200);
    expect(set.body.channel.slow_mode_s).toBe(30);
    expect((await bob.get(path)).body.channel.slow_mode_s).toBe(30);

    expectError(await bob.put(`${path}/slow-mode`, { slow_mode_s: 0 }), 403, 'forbidden');
    expectInvalid(
      await alice.put(`${path}/slow-mode`, { slow_mode_s: MODERATION_LIMITS.SLOW_MODE_SECONDS_MAX + 1 }),
      ['slow_mode_s'],
    );
    expectInvalid(await alice.put(`${path}/slow-mode`, { slow_mode_s: -1 }), ['slow_mode_s']);
    expectInvalid(await alice.put(`${path}/slow-mode`, { slow_mode_s: 1.5 }), ['slow_mode_s']);
    expectInvalid(await alice.put(`${path}/slow-mode`, {}), ['slow_mode_s']);

    // Another app's admin of a channel with the same id changes nothing here.
    const other = await appOn(server);
    const [mallory] = await other.users('mallory');
    expectError(await mallory!.put(`${path}/slow-mode`, { slow_mode_s: 0 }), 404, 'not_found');
    expect((await alice.get(path)).body.channel.slow_mode_s).toBe(30);

    // Turned off, members send freely again.
    expect((await alice.put(`${path}/slow-mode`, { slow_mode_s: 0 })).body.channel.slow_mode_s).toBe(0);
    await send(bob, 'team:room', 'one');
    await send(bob, 'team:room', 'two');
  });

  it('announces the change to watchers as channel.updated', async () => {
    const t = await appOn(server);
    const { alice, cid, path } = await room(t, 0);
    const b = await t.connect('bob');
    await b.ok({ type: 'channel.watch', cid });
    await alice.put(`${path}/slow-mode`, { slow_mode_s: 45 });
    const event = await b.waitFor((e) => e.type === 'channel.updated');
    expect(event).toMatchObject({ type: 'channel.updated', channel: { cid, slow_mode_s: 45 } });
  });
});

describe('a member in slow mode', () => {
  it('is refused a second message within the cooldown, told how long to wait, and nothing is stored', async () => {
    const t = await appOn(server);
    const { bob, carol, path } = await room(t, 60);
    expect((await post(bob, path, 'first')).status).toBe(201);

    const refused = await post(bob, path, 'second');
    expectError(refused, 429, 'slow_mode');
    expect(refused.body.error.retryable).toBe(true);
    const wait = refused.body.error.details.retry_after_ms;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60_000);
    expect(refused.body.error.details.slow_mode_s).toBe(60);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);

    // The cooldown is per member: carol still sends.
    expect((await post(carol, path, 'carol')).status).toBe(201);
    expect(await texts(bob, path)).toEqual(['first', 'carol']);
  });

  it('counts thread replies, and passes again once the cooldown has run', async () => {
    const t = await appOn(server);
    const { bob, carol, path } = await room(t, 60);
    const root = await post(carol, path, 'root');
    expect((await post(bob, path, 'reply', { parent_id: root.body.message.id })).status).toBe(201);
    expectError(await post(bob, path, 'top'), 429, 'slow_mode');
    expectError(await post(bob, path, 'again', { parent_id: root.body.message.id }), 429, 'slow_mode');

    await backdate(t, 'bob', 61);
    expect((await post(bob, path, 'later')).status).toBe(201);
    expectError(await post(bob, path, 'too soon'), 429, 'slow_mode');
  });

  it('gets back the message a repeated send stored, instead of a refusal', async () => {
    const t = await appOn(server);
    const { bob, path } = await room(t, 60);
    const body = { client_msg_id: clientId(), text: 'once' };
    const first = await bob.post(`${path}/messages`, body);
    expect(first.status).toBe(201);
    const repeat = await bob.post(`${path}/messages`, body);
    expect(repeat.status).toBe(201);
    expect(repeat.body.message.id).toBe(first.body.message.id);
    expect(await texts(bob, path)).toEqual(['once']);
  });

  it('gets one of ten concurrent sends through, and slow_mode for the nine others', async () => {
    const t = await appOn(server);
    const { bob, path } = await room(t, 60);
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => post(bob, path, `m${i}`)));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    const refused = replies.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(9);
    for (const r of refused) expectError(r, 429, 'slow_mode');
    expect(await texts(bob, path)).toHaveLength(1);
  });

  it('is refused on the socket too, with retry_after_ms, sharing the cooldown with REST', async () => {
    const t = await appOn(server);
    const { bob, cid, path } = await room(t, 60);
    const b = await t.connect('bob');
    await b.ok({ type: 'channel.watch', cid });
    await b.ok({ type: 'message.send', cid, message: { client_msg_id: clientId(), text: 'socket' } });

    const refused = await b.request({
      type: 'message.send',
      cid,
      message: { client_msg_id: clientId(), text: 'socket again' },
    });
    expect(refused.type).toBe('error');
    if (refused.type !== 'error') return;
    expect(refused.error.code).toBe('slow_mode');
    expect(refused.error.status).toBe(429);
    expect(refused.error.details?.retry_after_ms).toBeGreaterThan(0);
    // The socket's send counted for REST as well.
    expectError(await post(bob, path, 'rest'), 429, 'slow_mode');
    expect(await texts(bob, path)).toEqual(['socket']);
  });
});

describe('exempt from slow mode', () => {
  it('are the channel admin, its moderators, app admins and the app backend', async () => {
    const t = await appOn(server);
    const { alice, bob, carol, cid, path } = await room(t, 60);
    // alice created the channel: its admin.
    await send(alice, cid, 'a1');
    await send(alice, cid, 'a2');

    expect((await alice.patch(`${path}/members/carol`, { role: 'moderator' })).status).toBe(200);
    await send(carol, cid, 'c1');
    await send(carol, cid, 'c2');

    const upsert = await t.server.post('/v1/users', { users: [{ id: 'root', role: 'admin' }] });
    expect(upsert.status).toBe(200);
    const root = await t.user('root');
    expect((await alice.post(`${path}/members`, { user_ids: ['root'] })).status).toBe(200);
    await send(root, cid, 'r1');
    await send(root, cid, 'r2');

    // The backend sends as bob as often as it likes; bob himself is still held.
    await send(t.server, cid, 'b1', { user_id: 'bob' });
    await send(t.server, cid, 'b2', { user_id: 'bob' });
    expect((await post(bob, path, 'b3')).status).toBe(201);
    expectError(await post(bob, path, 'b4'), 429, 'slow_mode');
  });
});
