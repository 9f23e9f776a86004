import type { ChannelEvent, Message } from '@chat/protocol';
import { sql } from 'kysely';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatServer } from '../src/startup/server';
import type { Api } from './api';
import { getTestServer } from './api';
import { channelPath, createChannel, send } from './rest-helpers';
import { appOn, closeSockets, type WsTestApp } from './ws-fixtures';

/**
 * Recovery shows what a fresh read shows: a client resuming with `since` must never get back the
 * text or custom data of a message that was deleted, hidden by a truncate or replaced by an edit
 * since — whether it was a member all along, was added later, or is banned.
 */

let server: ChatServer;
beforeAll(async () => {
  server = await getTestServer();
});
afterEach(closeSockets);

const GONE = ['deleted-secret', 'deleted-custom-secret', 'text-before-edit', 'custom-before-edit'];

/** A message as every viewer sees it (own reactions belong to the reader, not the message). */
const shared = ({ own_reactions: _, ...message }: Message) => message;

/** The channel's messages as a fresh read by `reader` shows them, by id. */
async function freshRead(reader: Api, cid: string): Promise<Map<string, ReturnType<typeof shared>>> {
  const reply = await reader.get(`${channelPath(cid)}/messages?limit=100`);
  expect(reply.status).toBe(200);
  return new Map((reply.body.messages as Message[]).map((m) => [m.id, shared(m)]));
}

/** Asserts each message an event carries is the message a fresh read shows now. */
function expectCurrent(events: ChannelEvent[], fresh: Map<string, ReturnType<typeof shared>>) {
  const carried = events.flatMap((e) => ('message' in e ? [e.message] : []));
  expect(carried.length).toBeGreaterThan(0);
  for (const message of carried) expect(shared(message)).toEqual(fresh.get(message.id));
}

async function scene(t: WsTestApp) {
  const [alice] = await t.users('alice', 'bob', 'carol', 'dave', 'erin');
  const cid = await createChannel(alice!, 'private-room', ['bob', 'erin']);
  const path = channelPath(cid);
  // Bob and erin have seen everything so far, then go offline.
  const since = (await t.server.get(path)).body.channel.seq as number;
  const kept = await send(alice!, cid, 'still here', { custom: { note: 'kept' } });
  const deleted = await send(alice!, cid, 'deleted-secret', { custom: { note: 'deleted-custom-secret' } });
  const edited = await send(alice!, cid, 'text-before-edit', { custom: { note: 'custom-before-edit' } });
  expect((await alice!.post(`/v1/messages/${deleted.id}/reactions`, { type: 'like' })).status).toBe(201);
  expect(
    (await alice!.patch(`/v1/messages/${edited.id}`, { text: 'text-after-edit', custom: { note: 'now' } }))
      .status,
  ).toBe(200);
  expect((await alice!.delete(`/v1/messages/${deleted.id}`)).status).toBe(200);
  // A reply quoting the deleted message must not bring its text back either.
  await send(alice!, cid, 'quoting', { quoted_message_id: deleted.id });
  // Carol joins later; erin is banned.
  expect((await alice!.post(`${path}/members`, { user_ids: ['carol'] })).status).toBe(200);
  expect((await alice!.post(`${path}/bans`, { user_id: 'erin' })).status).toBe(200);
  return { alice: alice!, cid, path, since, kept, deleted, edited };
}

describe('recovery privacy', () => {
  it('a member all along and a member added later recover what a fresh read shows, nothing deleted or edited away', async () => {
    const t = await appOn(server);
    const { cid, since, kept, deleted, edited } = await scene(t);
    for (const reader of ['bob', 'carol']) {
      const socket = await t.connect(reader);
      const reply = await socket.ok({ type: 'channel.watch', cid, since });
      expect(reply.recovered).toBe(true);
      const events = reply.events as ChannelEvent[];
      const text = JSON.stringify(events);
      for (const secret of GONE) expect(text, `${reader} got ${secret}`).not.toContain(secret);
      expectCurrent(events, await freshRead(await t.user(reader), cid));
      const last = (id: string) => events.filter((e) => 'message' in e && e.message.id === id).at(-1);
      expect(last(deleted.id)).toMatchObject({ message: { type: 'deleted', text: '', custom: {} } });
      expect(last(edited.id)).toMatchObject({
        message: { text: 'text-after-edit', custom: { note: 'now' } },
      });
      expect(last(kept.id)).toMatchObject({ message: { text: 'still here' } });
      // Gap-free still: every seq after `since`, in order.
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => since + 1 + i));
    }
  });

  it('a banned member recovers nothing', async () => {
    const t = await appOn(server);
    const { cid, since } = await scene(t);
    const socket = await t.connect('erin');
    const reply = await socket.request({ type: 'channel.watch', cid, since });
    expect(reply).toMatchObject({ type: 'error', error: { code: 'user_banned' } });
  });

  it('after a truncate, a client resuming from before it gets fresh state: nothing the truncate hid', async () => {
    const t = await appOn(server);
    const { alice, cid, path, since } = await scene(t);
    const hiddenText = 'hidden-by-truncate';
    await send(alice, cid, hiddenText, { custom: { note: 'hidden-custom' } });
    const midway = (await t.server.get(path)).body.channel.seq as number;
    expect((await alice.post(`${path}/truncate`)).status).toBe(200);
    const [cleared] = (await alice.get(`${path}/messages`)).body.messages;
    expect(cleared).toMatchObject({ type: 'system', system: { kind: 'channel.truncated' } });
    const after = await send(alice, cid, 'after the truncate');
    const bob = await t.connect('bob');
    for (const from of [since, midway]) {
      const reply = await bob.ok({ type: 'channel.watch', cid, since: from });
      expect(reply.recovered).toBe(false);
      expect(reply.events).toEqual([]);
      const text = JSON.stringify(reply);
      for (const secret of [...GONE, hiddenText, 'hidden-custom', 'still here'])
        expect(text).not.toContain(secret);
      expect(reply.state.messages.map((m: Message) => m.id)).toEqual([cleared.id, after.id]);
    }
    // From after the truncate on, replay works as before.
    const current = (await t.server.get(path)).body.channel.seq as number;
    const later = await send(alice, cid, 'later');
    const resumed = await bob.ok({ type: 'channel.watch', cid, since: current });
    expect(resumed.recovered).toBe(true);
    expect((resumed.events as ChannelEvent[]).map((e) => e.type === 'message.new' && e.message.id)).toEqual([
      later.id,
    ]);
  });

  it('the event log at rest keeps no text or custom data that a delete or an edit took away', async () => {
    const t = await appOn(server);
    await scene(t);
    const { rows } = await sql<{ payload: unknown }>`
      select payload from channel_events where app_id = ${t.app.id}`.execute(server.store.db);
    expect(rows.length).toBeGreaterThan(5);
    const text = JSON.stringify(rows);
    for (const secret of GONE) expect(text).not.toContain(secret);
    // What is still there, as it is now, may be (replay then reads nothing more).
    expect(text).toContain('still here');
  });
});
