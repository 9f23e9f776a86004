import { LIMITS, MODERATION_LIMITS } from '@chat/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Api, getTestServer, newTestApp, type TestApp } from './api';
import { channelPath, createChannel, expectError, expectInvalid, send } from './rest-helpers';

/**
 * The pinned-messages list of a channel: newest pin first, paged, with who pinned and when;
 * readable by whoever may read the channel; deleted and truncated messages drop out; a channel
 * holds a bounded number of pins.
 */

beforeAll(async () => {
  await getTestServer();
});

async function room(t: TestApp) {
  const [alice, bob, carol] = await t.users('alice', 'bob', 'carol');
  const cid = await createChannel(alice!, 'room', ['bob']);
  return { alice: alice!, bob: bob!, carol: carol!, cid, path: channelPath(cid) };
}

const pin = (api: Api, id: string) => api.post(`/v1/messages/${id}/pin`);

async function pinned(api: Api, path: string, query = ''): Promise<{ texts: string[]; body: any }> {
  const reply = await api.get(`${path}/pinned${query}`);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return { texts: reply.body.messages.map((m: { text: string }) => m.text), body: reply.body };
}

describe('the pinned-messages list', () => {
  it('lists pins newest first with who pinned and when, and pages with next_cursor', async () => {
    const t = await newTestApp();
    const { alice, bob, cid, path } = await room(t);
    const messages = [];
    for (let i = 0; i < 5; i++) messages.push(await send(alice, cid, `m${i}`));
    // Pinned in the order m2, m0, m4, m1 (m3 not pinned), by alice and bob in turn.
    for (const [i, by] of [
      [2, alice],
      [0, bob],
      [4, alice],
      [1, bob],
    ] as const)
      expect((await pin(by, messages[i]!.id)).status).toBe(200);

    const all = await pinned(bob, path);
    expect(all.texts).toEqual(['m1', 'm4', 'm0', 'm2']);
    expect(all.body.next_cursor).toBeNull();
    const first = all.body.messages[0];
    expect(first).toMatchObject({ pinned: true, pinned_by: 'bob' });
    expect(Date.parse(first.pinned_at)).toBeGreaterThanOrEqual(Date.parse(all.body.messages[1].pinned_at));
    expect(all.body.messages.map((m: { pinned_by: string }) => m.pinned_by)).toEqual([
      'bob',
      'alice',
      'bob',
      'alice',
    ]);

    const page1 = await pinned(bob, path, '?limit=3');
    expect(page1.texts).toEqual(['m1', 'm4', 'm0']);
    expect(page1.body.next_cursor).toEqual(expect.any(String));
    const page2 = await pinned(bob, path, `?limit=3&cursor=${page1.body.next_cursor}`);
    expect(page2.texts).toEqual(['m2']);
    expect(page2.body.next_cursor).toBeNull();

    // Unpinned, a message leaves the list.
    expect((await bob.delete(`/v1/messages/${messages[4]!.id}/pin`)).status).toBe(200);
    expect((await pinned(alice, path)).texts).toEqual(['m1', 'm0', 'm2']);
  });

  it('drops deleted messages and those a truncate hid', async () => {
    const t = await newTestApp();
    const { alice, cid, path } = await room(t);
    const old = await send(alice, cid, 'old');
    expect((await pin(alice, old.id)).status).toBe(200);
    expect((await alice.post(`${path}/truncate`)).status).toBe(200);
    const kept = await send(alice, cid, 'kept');
    const gone = await send(alice, cid, 'gone');
    await pin(alice, kept.id);
    await pin(alice, gone.id);
    expect((await alice.delete(`/v1/messages/${gone.id}`)).status).toBe(200);
    expect((await pinned(alice, path)).texts).toEqual(['kept']);
  });

  it('is refused to those who cannot read the channel, across apps, and with a bad cursor or limit', async () => {
    const t = await newTestApp();
    const { alice, carol, cid, path } = await room(t);
    await pin(alice, (await send(alice, cid, 'secret')).id);
    // carol is not a member of the messaging channel: it does not exist for her.
    expectError(await carol.get(`${path}/pinned`), 404, 'not_found');
    const other = await newTestApp();
    const [mallory] = await other.users('alice');
    expectError(await mallory!.get(`${path}/pinned`), 404, 'not_found');
    expectInvalid(await alice.get(`${path}/pinned?cursor=not-a-cursor`), ['cursor']);
    expectInvalid(await alice.get(`${path}/pinned?limit=0`), ['limit']);
    expectInvalid(await alice.get(`${path}/pinned?limit=${LIMITS.PAGE_SIZE_MAX + 1}`), ['limit']);
    expectInvalid(await alice.get(`${path}/pinned?before=x`), ['before']);
    // The app's backend reads it.
    expect((await pinned(t.server, path)).texts).toEqual(['secret']);
  });
});

describe('the bound on pins', () => {
  it(`refuses a pin past ${MODERATION_LIMITS.PINNED_MESSAGES_PER_CHANNEL} with a conflict naming the limit, until one is unpinned`, async () => {
    const t = await newTestApp();
    const { alice, bob, cid, path } = await room(t);
    const max = MODERATION_LIMITS.PINNED_MESSAGES_PER_CHANNEL;
    const messages = [];
    for (let i = 0; i <= max; i++) messages.push(await send(alice, cid, `m${i}`));
    // Pinned two at a time, so the count is taken under concurrency as well.
    for (let i = 0; i < max; i += 2)
      expect(
        (await Promise.all([pin(alice, messages[i]!.id), pin(bob, messages[i + 1]!.id)])).map(
          (r) => r.status,
        ),
      ).toEqual([200, 200]);

    const refused = await pin(alice, messages[max]!.id);
    expectError(refused, 409, 'conflict');
    expect(refused.body.error.details).toMatchObject({ reason: 'pin_limit', limit: max });
    expect((await alice.get(`/v1/messages/${messages[max]!.id}`)).body.message.pinned).toBe(false);

    // Deleting a pinned message frees its place, as unpinning does.
    expect((await alice.delete(`/v1/messages/${messages[0]!.id}`)).status).toBe(200);
    expect((await pin(alice, messages[max]!.id)).status).toBe(200);
    const all = await pinned(alice, `${path}`, `?limit=${LIMITS.PAGE_SIZE_MAX}`);
    expect(all.texts).toHaveLength(max);
  });

  it('lets only one of two concurrent pins take the last place', async () => {
    const t = await newTestApp();
    const { alice, bob, cid, path } = await room(t);
    const max = MODERATION_LIMITS.PINNED_MESSAGES_PER_CHANNEL;
    const messages = [];
    for (let i = 0; i <= max; i++) messages.push(await send(alice, cid, `m${i}`));
    for (let i = 0; i < max - 1; i++) expect((await pin(alice, messages[i]!.id)).status).toBe(200);
    const [a, b] = await Promise.all([pin(alice, messages[max - 1]!.id), pin(bob, messages[max]!.id)]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect((await pinned(alice, path, `?limit=${LIMITS.PAGE_SIZE_MAX}`)).texts).toHaveLength(max);
  });
});
