import type { ChannelEvent, EventOf, Message } from '@chat/protocol';
import { isChannelEvent } from '@chat/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatServer } from '../src/startup/server';
import type { Api } from './api';
import { startTestServer } from './api';
import { channelPath, expectError, send } from './rest-helpers';
import { appOn, closeSockets, eventsOf, type WsTestApp, waitForEvent } from './ws-fixtures';

/**
 * System messages: the server's own `type: 'system'` messages for membership changes, roles,
 * bans, freeze and unfreeze, and truncation; real messages of the channel (its next seq, in the
 * change's transaction), carried as `message.new` and recovered in order by `since`, never
 * unread, never edited.
 */

let server: ChatServer;
beforeAll(async () => {
  server = await startTestServer({ realtime: { writes: { points: 10_000, durationSeconds: 10 } } });
});
afterAll(() => server?.close());
afterEach(closeSockets);

/** A team channel of alice (its admin) with bob and carol; dave is a user of the app. */
async function room(t: WsTestApp) {
  const [alice, bob, carol, dave] = await t.users('alice', 'bob', 'carol', 'dave');
  const created = await alice!.post('/v1/channels', { type: 'team', id: 'room', members: ['bob', 'carol'] });
  expect(created.status).toBe(201);
  const cid: string = created.body.channel.cid;
  return { alice: alice!, bob: bob!, carol: carol!, dave: dave!, cid, path: channelPath(cid) };
}

async function systemMessages(api: Api, path: string): Promise<Message[]> {
  const reply = await api.get(`${path}/messages?limit=100`);
  expect(reply.status).toBe(200);
  return reply.body.messages.filter((m: Message) => m.type === 'system');
}

const ok = async (reply: Promise<{ status: number; body: unknown }>) => {
  const r = await reply;
  expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
  return r;
};

describe('system messages', () => {
  it('are written for each membership, role, ban, freeze and truncate change, with structured fields and a default text', async () => {
    const t = await appOn(server);
    const { alice, bob, dave, cid, path } = await room(t);
    // Creating a channel reports nothing: its members come with it.
    expect(await systemMessages(alice, path)).toEqual([]);

    await ok(alice.post(`${path}/members`, { user_ids: ['dave'] }));
    await ok(alice.patch(`${path}/members/bob`, { role: 'moderator' }));
    await ok(alice.post(`${path}/bans`, { user_id: 'carol', timeout: 3600 }));
    await ok(alice.delete(`${path}/bans/carol`));
    await ok(alice.post(`${path}/members/remove`, { user_ids: ['carol'] }));
    await ok(dave.post(`${path}/members/remove`, { user_ids: ['dave'] }));
    await ok(alice.post(`${path}/freeze`));
    // Freezing a frozen channel changes nothing, and says nothing.
    await ok(alice.post(`${path}/freeze`));
    await ok(alice.post(`${path}/unfreeze`));

    const written = await systemMessages(bob, path);
    expect(written.map((m) => [m.system?.kind, m.system?.actor_id, m.system?.target_ids, m.text])).toEqual([
      ['member.added', 'alice', ['dave'], 'ALICE added DAVE'],
      ['member.role_changed', 'alice', ['bob'], 'ALICE made BOB a moderator'],
      ['member.banned', 'alice', ['carol'], 'ALICE banned CAROL'],
      ['member.unbanned', 'alice', ['carol'], 'ALICE lifted the ban on CAROL'],
      ['member.removed', 'alice', ['carol'], 'ALICE removed CAROL'],
      ['member.left', 'dave', ['dave'], 'DAVE left'],
      ['channel.frozen', 'alice', [], 'ALICE froze the channel'],
      ['channel.unfrozen', 'alice', [], 'ALICE unfroze the channel'],
    ]);
    expect(written[1]!.system?.role).toBe('moderator');
    const expires = written[2]!.system?.expires_at;
    expect(Date.parse(expires!)).toBeGreaterThan(Date.now());
    for (const m of written)
      expect(m).toMatchObject({ cid, type: 'system', client_msg_id: null, parent_id: null });
    // Each took the channel's next seq: strictly increasing, after the channel's own events.
    const seqs = written.map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);

    // Truncating hides everything before it; its own system message is what remains.
    await send(alice, cid, 'hello');
    await ok(alice.post(`${path}/truncate`));
    const after = await bob.get(`${path}/messages`);
    expect(after.body.messages.map((m: Message) => [m.type, m.system?.kind])).toEqual([
      ['system', 'channel.truncated'],
    ]);
  });

  it('name no actor when the app backend acts, and a livestream join is a join', async () => {
    const t = await appOn(server);
    const { bob, path } = await room(t);
    await ok(t.server.post(`${path}/members`, { user_ids: ['dave'] }));
    await ok(t.server.post(`${path}/freeze`));
    const [added, frozen] = await systemMessages(bob, path);
    expect(added).toMatchObject({ system: { kind: 'member.added', actor_id: null, target_ids: ['dave'] } });
    expect(added!.text).toBe('DAVE was added');
    expect(frozen).toMatchObject({
      system: { kind: 'channel.frozen', actor_id: null },
      text: 'The channel was frozen',
    });

    const live = await t.server.post('/v1/channels', {
      type: 'livestream',
      id: 'show',
      created_by_id: 'alice',
    });
    expect(live.status).toBe(201);
    const dave = await t.user('dave');
    await ok(dave.post('/v1/channels/livestream/show/members', { user_ids: ['dave'] }));
    const [joined] = await systemMessages(dave, '/v1/channels/livestream/show');
    expect(joined).toMatchObject({
      system: { kind: 'member.joined', actor_id: 'dave' },
      text: 'DAVE joined',
    });
  });

  it('do not count as unread, cannot be edited, and only a moderator deletes one', async () => {
    const t = await appOn(server);
    const { alice, bob, carol, cid, path } = await room(t);
    await ok(alice.post(`${path}/members`, { user_ids: ['dave'] }));
    await ok(alice.post(`${path}/freeze`));
    await ok(alice.post(`${path}/unfreeze`));
    const unread = await bob.get('/v1/unread');
    expect(unread.body.total_unread_count).toBe(0);
    await send(alice, cid, 'real');
    expect((await bob.get('/v1/unread')).body.total_unread_count).toBe(1);

    const [note] = await systemMessages(bob, path);
    expectError(await alice.patch(`/v1/messages/${note!.id}`, { text: 'rewritten' }), 403, 'forbidden');
    expectError(await t.server.patch(`/v1/messages/${note!.id}`, { text: 'rewritten' }), 403, 'forbidden');
    expectError(await carol.delete(`/v1/messages/${note!.id}`), 403, 'forbidden');
    const removed = await alice.delete(`/v1/messages/${note!.id}`);
    expect(removed.status).toBe(200);
    expect(removed.body.message).toMatchObject({ type: 'deleted', text: '', system: null });
  });

  it('reach watchers as message.new, are recovered in order by since, and notify no one who is not watching', async () => {
    const t = await appOn(server);
    const { alice, cid, path } = await room(t);
    const online = await t.connect('carol');
    await online.ok({ type: 'channel.watch', cid });
    const elsewhere = await t.connect('dave');

    const b = await t.connect('bob');
    const first = await b.ok({ type: 'channel.watch', cid });
    const since: number = first.state.channel.seq;
    b.close();
    await b.waitForClose();

    await ok(alice.post(`${path}/members`, { user_ids: ['dave'] }));
    await ok(alice.post(`${path}/freeze`));
    await ok(alice.post(`${path}/unfreeze`));
    const last = await send(alice, cid, 'after the changes');
    await waitForEvent(online, 'message.new', (e) => e.message.id === last.id);

    const back = await t.connect('bob');
    const reply = await back.ok({ type: 'channel.watch', cid, since });
    expect(reply.recovered).toBe(true);
    const replayed = reply.events as ChannelEvent[];
    const shape = (e: ChannelEvent) =>
      e.type === 'message.new' ? `${e.type}:${e.message.system?.kind ?? e.message.text}` : e.type;
    expect(replayed.map(shape)).toEqual([
      'member.added',
      'message.new:member.added',
      'channel.updated',
      'message.new:channel.frozen',
      'channel.updated',
      'message.new:channel.unfrozen',
      'message.new:after the changes',
    ]);
    expect(replayed.map((e) => e.seq)).toEqual(Array.from({ length: 7 }, (_, i) => since + 1 + i));
    // What a live watcher saw, event for event.
    const seen = online.events.filter(
      (e): e is ChannelEvent => isChannelEvent(e) && e.type !== 'channel.watchers' && e.seq > since,
    );
    expect(replayed).toEqual(seen);

    // dave is connected and (once added) a member, not watching: he hears of the real message
    // only; the system messages change no unread count and tell him nothing.
    const note = await waitForEvent(elsewhere, 'notification.message_new', (e) => e.message.id === last.id);
    expect(note.unread_count).toBe(1);
    const notes: EventOf<'notification.message_new'>[] = eventsOf(elsewhere, 'notification.message_new');
    expect(notes.map((e) => e.message.type)).toEqual(['regular']);
  });
});
