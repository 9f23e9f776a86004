import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flagAutomatically } from '../src/domain/moderation/reports';
import type { ChatServer } from '../src/startup/server';
import { scopeToApp } from '../src/store/app-scope';
import type { Store } from '../src/store/database';
import { testAppOn } from './api';
import { act, audit, moderationServer, queue, report, world } from './moderation-fixtures';
import { channelPath, expectError, expectInvalid, send } from './rest-helpers';
import { Receiver } from './webhook-receiver';

/**
 * Reports and the review queue: members flag messages and users (once per target), reports group
 * per target, reviewers (app admins, the app's backend, a channel's moderators for its channel)
 * list, assign and act, and every action is an audit record. The audit log's own API and webhook
 * are in moderation-audit.test.ts.
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

describe('reports', () => {
  it('a member flags a message once; reports group per target with count, reasons and time', async () => {
    const w = await world(server);
    const message = await send(w.carol, w.room, 'buy cheap watches');
    const first = await report(w.dave, message.id, 'spam', 'Third time today');
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.report).toMatchObject({
      target_kind: 'message',
      message_id: message.id,
      reason: 'spam',
      note: 'Third time today',
    });
    expectError(await report(w.dave, message.id, 'hate'), 409, 'conflict');
    expect((await report(w.bob, message.id, 'harassment')).status).toBe(201);
    const [item] = await queue(w.alice);
    expect(item).toMatchObject({
      target_kind: 'message',
      message: { id: message.id, text: 'buy cheap watches', deleted: false },
      user: { id: 'carol' },
      cid: w.room,
      status: 'pending',
      report_count: 2,
      reasons: ['harassment', 'spam'],
      sources: ['user'],
      assignee: null,
      resolution: null,
    });
    const detail = await w.alice.get(`/v1/moderation/queue/${item!.id}`);
    expect(detail.body.reports.map((r: { reporter: { id: string } }) => r.reporter.id)).toEqual([
      'bob',
      'dave',
    ]);
  });

  it('refuses one’s own message, oneself, unreadable messages, server tokens and bad input, changing nothing', async () => {
    const w = await world(server);
    const message = await send(w.carol, w.side, 'in side');
    expectInvalid(await report(w.carol, message.id), []);
    expectError(await report(w.erin, message.id), 404, 'not_found');
    expectError(await report(w.t.server, message.id), 403, 'forbidden');
    expectInvalid(await report(w.dave, message.id, 'boring'), ['reason']);
    expectInvalid(await report(w.dave, message.id, 'spam', 'x'.repeat(1_001)), ['note']);
    expectInvalid(await w.dave.post(`/v1/messages/${message.id}/report`, { reason: 'spam', extra: 1 }), []);
    expectInvalid(await w.carol.post('/v1/users/carol/report', { reason: 'spam' }), []);
    expectError(await w.carol.post('/v1/users/nobody/report', { reason: 'spam' }), 404, 'not_found');
    expect(await queue(w.alice)).toEqual([]);
  });

  it('a user report is an app-wide item; a second report by the same user is a 409', async () => {
    const w = await world(server);
    expect((await w.dave.post('/v1/users/carol/report', { reason: 'harassment' })).status).toBe(201);
    expectError(await w.dave.post('/v1/users/carol/report', { reason: 'spam' }), 409, 'conflict');
    const items = await queue(w.t.server, '?target_kind=user');
    expect(items).toMatchObject([
      { target_kind: 'user', user: { id: 'carol' }, message: null, report_count: 1 },
    ]);
    // Channel moderators review their channels' messages, never users app-wide.
    expect(await queue(w.erin)).toEqual([]);
  });

  it('an automatic flag (blocklist) lands in the same queue with source "blocklist"', async () => {
    const w = await world(server);
    const message = await send(w.carol, w.room, 'flag me');
    const db = scopeToApp(store.db, w.t.app.id);
    await db.transaction().execute((tx) =>
      flagAutomatically(tx, {
        messageId: message.id,
        reason: 'blocklist: Slurs',
        details: { list: 'Slurs' },
      }),
    );
    // A second flag (an edit) refreshes the flag rather than counting another report.
    await db
      .transaction()
      .execute((tx) => flagAutomatically(tx, { messageId: message.id, reason: 'blocklist: Slurs' }));
    expect((await report(w.dave, message.id)).status).toBe(201);
    const [item] = await queue(w.erin);
    expect(item).toMatchObject({
      report_count: 2,
      sources: ['blocklist', 'user'],
      reasons: ['spam', 'blocklist: Slurs'],
    });
    const detail = await w.erin.get(`/v1/moderation/queue/${item!.id}`);
    expect(detail.body.reports).toContainEqual(
      expect.objectContaining({ source: 'blocklist', reporter: null, reason: 'blocklist: Slurs' }),
    );
  });
});

describe('the review queue', () => {
  it('a plain member cannot list, read or act on it; a moderator sees only their channels’ items', async () => {
    const w = await world(server);
    const inRoom = await send(w.carol, w.room, 'room message');
    const inSide = await send(w.carol, w.side, 'side message');
    await report(w.dave, inRoom.id);
    await report(w.dave, inSide.id);
    expectError(await w.dave.get('/v1/moderation/queue'), 403, 'forbidden');
    const all = await queue(w.alice);
    expect(all).toHaveLength(2);
    expect((await queue(w.t.server)).map((i) => i.id).sort()).toEqual(all.map((i) => i.id).sort());
    const seen = await queue(w.erin);
    expect(seen.map((i) => i.message.id)).toEqual([inRoom.id]);
    const sideItem = all.find((i) => i.message.id === inSide.id)!;
    expectError(await w.erin.get(`/v1/moderation/queue/${sideItem.id}`), 404, 'not_found');
    expectError(await act(w.erin, sideItem.id, { action: 'dismiss' }), 404, 'not_found');
    expectError(await act(w.dave, seen[0]!.id, { action: 'dismiss' }), 403, 'forbidden');
    expectError(await w.dave.get(`/v1/moderation/queue/${seen[0]!.id}`), 403, 'forbidden');
    expect((await queue(w.alice, '?status=pending')).every((i) => i.status === 'pending')).toBe(true);
    expect(await queue(w.alice, `?cid=${w.side}`)).toMatchObject([{ id: sideItem.id }]);
  });

  it('a user of another app sees and acts on none of it', async () => {
    const w = await world(server);
    const message = await send(w.carol, w.room, 'app A');
    await report(w.dave, message.id);
    const [item] = await queue(w.alice);
    const other = await testAppOn(server);
    await other.server.post('/v1/users', { users: [{ id: 'alice', name: 'Alice', role: 'admin' }] });
    const otherAdmin = await other.user('alice');
    expect(await queue(otherAdmin)).toEqual([]);
    expect(await queue(other.server)).toEqual([]);
    expectError(await otherAdmin.get(`/v1/moderation/queue/${item!.id}`), 404, 'not_found');
    expectError(await act(other.server, item!.id, { action: 'dismiss' }), 404, 'not_found');
    expectError(await other.server.post(`/v1/moderation/queue/${item!.id}/assign`, { user_id: null }), 404);
    expect(await audit(other.server)).toEqual([]);
    expect((await queue(w.alice))[0]).toMatchObject({ status: 'pending', assignee: null });
  });

  it('pages with a cursor, newest report first', async () => {
    const w = await world(server);
    const sent = [];
    for (let i = 0; i < 3; i++) sent.push(await send(w.carol, w.room, `m${i}`));
    for (const message of sent) await report(w.dave, message.id);
    const first = await w.alice.get('/v1/moderation/queue?limit=2');
    expect(first.body.items.map((i: any) => i.message.text)).toEqual(['m2', 'm1']);
    const second = await w.alice.get(`/v1/moderation/queue?limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body.items.map((i: any) => i.message.text)).toEqual(['m0']);
    expect(second.body.next_cursor).toBeNull();
    expectInvalid(await w.alice.get('/v1/moderation/queue?cursor=forged'), ['cursor']);
    expectInvalid(await w.alice.get('/v1/moderation/queue?status=open'), ['status']);
  });

  it('assigns to a reviewer of the item (audited), never to someone who cannot review it', async () => {
    const w = await world(server);
    const message = await send(w.carol, w.room, 'assign me');
    await report(w.dave, message.id);
    const [item] = await queue(w.alice);
    const assigned = await w.alice.post(`/v1/moderation/queue/${item!.id}/assign`, { user_id: 'erin' });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
    expect(assigned.body.item.assignee).toMatchObject({ id: 'erin' });
    expect(await queue(w.erin, '?assignee=erin')).toHaveLength(1);
    expect(await queue(w.erin, '?assignee=none')).toHaveLength(0);
    expectInvalid(await w.alice.post(`/v1/moderation/queue/${item!.id}/assign`, { user_id: 'dave' }), [
      'user_id',
    ]);
    expect((await queue(w.alice))[0]!.assignee).toMatchObject({ id: 'erin' });
    expect(await audit(w.alice, '?action=report.assigned')).toMatchObject([
      {
        actor: { user_id: 'alice', server: false },
        target_user_id: 'erin',
        details: { review_item_id: item!.id },
      },
    ]);
  });
});

describe('review actions', () => {
  async function reported(text = 'nasty') {
    const w = await world(server);
    const message = await send(w.carol, w.room, text);
    await report(w.dave, message.id, 'harassment');
    const [item] = await queue(w.alice);
    return { ...w, message, item: item! };
  }

  it('dismiss: the item is dismissed and the audit log says who, when and why', async () => {
    const w = await reported();
    const reply = await act(w.erin, w.item.id, { action: 'dismiss', reason: 'Banter' });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body.item).toMatchObject({
      status: 'dismissed',
      resolution: { action: 'dismiss', actor: { user_id: 'erin', server: false }, reason: 'Banter' },
    });
    expect(await audit(w.alice)).toMatchObject([
      {
        action: 'report.dismissed',
        actor: { user_id: 'erin', server: false },
        target_user_id: 'carol',
        message_id: w.message.id,
        cid: w.room,
        reason: 'Banter',
        details: { review_item_id: w.item.id, report_count: 1 },
      },
    ]);
    // A new report reopens it.
    await report(w.bob, w.message.id);
    expect((await queue(w.alice))[0]).toMatchObject({ status: 'pending', report_count: 2 });
  });

  it('delete_message removes it "by a moderator" for everyone; restore brings it back; both audited', async () => {
    const w = await reported('remove me');
    const reply = await act(w.erin, w.item.id, { action: 'delete_message', reason: 'Harassment' });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body.item).toMatchObject({
      status: 'resolved',
      message: { deleted: true, removed_by_moderator: true },
    });
    const seen = await w.bob.get(`/v1/messages/${w.message.id}`);
    expect(seen.body.message).toMatchObject({ type: 'deleted', text: '', removed_by_moderator: true });
    const restored = await act(w.alice, w.item.id, { action: 'restore', reason: 'Context' });
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body.item).toMatchObject({ status: 'dismissed', resolution: { action: 'restore' } });
    const back = await w.bob.get(`/v1/messages/${w.message.id}`);
    expect(back.body.message).toMatchObject({ type: 'regular', text: 'remove me' });
    expect(back.body.message.removed_by_moderator).toBeUndefined();
    expect((await audit(w.alice)).map((e) => [e.action, e.actor.user_id, e.reason])).toEqual([
      ['message.restored', 'alice', 'Context'],
      ['message.deleted', 'erin', 'Harassment'],
    ]);
    expectError(await act(w.alice, w.item.id, { action: 'restore' }), 409, 'conflict');
  });

  it('ban_from_channel bans the author with expiry and reason; restore lifts it', async () => {
    const w = await reported();
    const expires = new Date(Date.now() + 3_600_000).toISOString();
    const reply = await act(w.erin, w.item.id, {
      action: 'ban_from_channel',
      reason: 'Spam',
      expires_at: expires,
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expectError(
      await w.carol.post(`${channelPath(w.room)}/messages`, {
        client_msg_id: crypto.randomUUID(),
        text: 'x',
      }),
      403,
      'user_banned',
    );
    const [entry] = await audit(w.alice, '?action=channel.banned');
    expect(entry).toMatchObject({
      actor: { user_id: 'erin' },
      target_user_id: 'carol',
      cid: w.room,
      reason: 'Spam',
    });
    expect(Date.parse(entry!.details.expires_at)).toBeGreaterThan(Date.now());
    expect(entry!.details.review_item_id).toBe(w.item.id);
    expect((await act(w.erin, w.item.id, { action: 'restore' })).status).toBe(200);
    expect((await send(w.carol, w.room, 'back')).text).toBe('back');
    expect((await audit(w.alice, '?action=channel.unbanned'))[0]).toMatchObject({ target_user_id: 'carol' });
  });

  it('ban_from_app, shadow_ban and timeout act app-wide (admins, the backend); restore undoes each', async () => {
    const w = await reported();
    const standing = async () => (await w.t.server.get('/v1/users/carol/standing')).body.standing;
    const expires = new Date(Date.now() + 3_600_000).toISOString();
    const banned = await act(w.alice, w.item.id, {
      action: 'ban_from_app',
      reason: 'Spam',
      expires_at: expires,
    });
    expect(banned.status, JSON.stringify(banned.body)).toBe(200);
    expect(banned.body.item).toMatchObject({ status: 'resolved', resolution: { action: 'ban_from_app' } });
    expect(await standing()).toMatchObject({ banned: true, ban_reason: 'Spam' });
    expect((await act(w.alice, w.item.id, { action: 'restore' })).status).toBe(200);
    expect(await standing()).toMatchObject({ banned: false });
    const shadow = await act(w.t.server, w.item.id, { action: 'shadow_ban', reason: 'Evasion' });
    expect(shadow.status, JSON.stringify(shadow.body)).toBe(200);
    expect(shadow.body.item.resolution).toMatchObject({
      action: 'shadow_ban',
      actor: { user_id: null, server: true },
    });
    expect(await standing()).toMatchObject({ shadow_banned: true });
    expect((await act(w.t.server, w.item.id, { action: 'restore' })).status).toBe(200);
    expect(await standing()).toMatchObject({ shadow_banned: false });
    const until = new Date(Date.now() + 600_000).toISOString();
    expect((await act(w.alice, w.item.id, { action: 'timeout', until, reason: 'Cool off' })).status).toBe(
      200,
    );
    expect(Date.parse((await standing()).timed_out_until)).toBe(Date.parse(until));
    expect((await act(w.alice, w.item.id, { action: 'restore' })).status).toBe(200);
    expect(await standing()).toMatchObject({ timed_out_until: null });
    const actions = (await audit(w.alice)).map((e) => e.action).reverse();
    expect(actions).toEqual([
      'app.banned',
      'report.resolved',
      'app.unbanned',
      'report.resolved',
      'shadow.banned',
      'report.resolved',
      'shadow.unbanned',
      'report.resolved',
      'user.timed_out',
      'report.resolved',
      'user.timeout_ended',
      'report.resolved',
    ]);
    expect((await audit(w.alice, '?action=report.resolved'))[0]).toMatchObject({
      target_user_id: 'carol',
      details: { review_item_id: w.item.id, resolution: 'restore' },
    });
  });

  it('app-wide actions are for app admins and the backend; bad actions are 400s that change nothing', async () => {
    const w = await reported();
    expectError(await act(w.erin, w.item.id, { action: 'ban_from_app' }), 403, 'forbidden');
    expectError(
      await act(w.erin, w.item.id, { action: 'timeout', until: new Date(Date.now() + 60_000).toISOString() }),
      403,
    );
    expectInvalid(await act(w.alice, w.item.id, { action: 'nuke' }), ['action']);
    expectInvalid(await act(w.alice, w.item.id, { action: 'dismiss', reason: 'x'.repeat(501) }), ['reason']);
    expectInvalid(
      await act(w.alice, w.item.id, { action: 'ban_from_channel', expires_at: '2000-01-01T00:00:00Z' }),
      ['expires_at'],
    );
    expectInvalid(await act(w.alice, w.item.id, { action: 'timeout' }), ['until']);
    expect((await queue(w.alice))[0]).toMatchObject({ status: 'pending', resolution: null });
    expect(await audit(w.alice)).toEqual([]);
  });
});
