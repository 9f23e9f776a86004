import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatServer } from '../src/startup/server';
import type { Store } from '../src/store/database';
import { act, audit, moderationServer, queue, report, world } from './moderation-fixtures';
import { channelPath, expectError, expectInvalid, send } from './rest-helpers';
import { Receiver } from './webhook-receiver';

/**
 * The moderation audit log: the moderator actions outside the review queue are recorded too; only
 * app admins and the app's backend read it, filtered and paged; every record goes out as a
 * `moderation.action` webhook.
 */

let store: Store;
let server: ChatServer;
const receiver = new Receiver();

beforeAll(async () => {
  ({ store, server } = await moderationServer());
  await receiver.start();
}, 60_000);
afterAll(async () => {
  await server?.close();
  await store?.close();
  await receiver.close();
});

describe('the audit log', () => {
  it('records the moderator actions outside the queue; only admins and the backend read it, filtered and paged', async () => {
    const w = await world(server);
    const path = channelPath(w.room);
    const message = await send(w.carol, w.room, 'hello');
    const own = await send(w.dave, w.room, 'mine');
    expect((await w.erin.delete(`/v1/messages/${message.id}`)).status).toBe(200);
    expect((await w.dave.delete(`/v1/messages/${own.id}`)).status).toBe(200);
    // The author's own deletion is no moderation.
    expect((await w.dave.get(`/v1/messages/${own.id}`)).body.message.removed_by_moderator).toBe(false);
    expect(
      (await w.erin.post(`${path}/bans`, { user_id: 'carol', reason: 'Rude', timeout: 60 })).status,
    ).toBe(200);
    expect((await w.erin.delete(`${path}/bans/carol`)).status).toBe(200);
    expect((await w.erin.post(`${path}/freeze`)).status).toBe(200);
    expect((await w.erin.post(`${path}/unfreeze`)).status).toBe(200);
    expect((await w.bob.post(`${path}/truncate`)).status).toBe(200);
    const entries = await audit(w.t.server);
    expect(entries.map((e) => e.action)).toEqual([
      'channel.truncated',
      'channel.unfrozen',
      'channel.frozen',
      'channel.unbanned',
      'channel.banned',
      'message.deleted',
    ]);
    expect(entries.every((e) => e.cid === w.room)).toBe(true);
    expect(entries.at(-1)).toMatchObject({
      actor: { user_id: 'erin' },
      target_user_id: 'carol',
      message_id: message.id,
    });

    expectError(await w.dave.get('/v1/moderation/audit'), 403, 'forbidden');
    expectError(await w.erin.get('/v1/moderation/audit'), 403, 'forbidden');
    expect((await audit(w.alice, '?actor=bob')).map((e) => e.action)).toEqual(['channel.truncated']);
    expect((await audit(w.alice, '?target_user_id=carol')).map((e) => e.action)).toEqual([
      'channel.unbanned',
      'channel.banned',
      'message.deleted',
    ]);
    expect(await audit(w.alice, `?cid=${w.side}`)).toEqual([]);
    expect(await audit(w.alice, `?until=${encodeURIComponent(entries.at(-1)!.created_at)}`)).toEqual([]);
    expect(await audit(w.alice, `?since=${encodeURIComponent(entries[0]!.created_at)}`)).toHaveLength(1);
    const page = await w.alice.get('/v1/moderation/audit?limit=4');
    const rest = await w.alice.get(`/v1/moderation/audit?limit=4&cursor=${page.body.next_cursor}`);
    expect([...page.body.entries, ...rest.body.entries].map((e: { id: string }) => e.id)).toEqual(
      entries.map((e) => e.id),
    );
    expect(rest.body.next_cursor).toBeNull();
    expectInvalid(await w.alice.get('/v1/moderation/audit?since=yesterday'), ['since']);
  });

  it('every audit record goes out as a moderation.action webhook', async () => {
    const w = await reported();
    const hook = await w.t.server.post('/v1/webhooks', {
      name: 'mod',
      url: receiver.url,
      events: ['moderation.action'],
    });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    expect((await act(w.alice, w.item.id, { action: 'dismiss', reason: 'ok' })).status).toBe(200);
    await expect
      .poll(() => receiver.ofType('moderation.action').some((r) => r.body.includes(w.item.id)), {
        timeout: 15_000,
      })
      .toBe(true);
    const delivery = receiver.ofType('moderation.action').find((r) => r.body.includes(w.item.id))!;
    expect(JSON.parse(delivery.body)).toMatchObject({
      type: 'moderation.action',
      data: {
        action: {
          action: 'report.dismissed',
          actor: { user_id: 'alice' },
          target_user_id: 'carol',
          reason: 'ok',
        },
      },
    });
  });

  async function reported() {
    const w = await world(server);
    const message = await send(w.carol, w.room, 'hooked');
    await report(w.dave, message.id);
    const [item] = await queue(w.alice);
    return { ...w, item: item! };
  }
});
