import type { Member, Message } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { type Api, clientId, newTestApp, type Reply } from './api';

const ids = (reply: Reply) => (reply.body.members as Member[]).map((m) => m.user_id);
const memberOf = (reply: Reply, userId: string) =>
  (reply.body.members as Member[]).find((m) => m.user_id === userId);

function expectError(reply: Reply, status: number, code: string) {
  expect({ status: reply.status, code: reply.body?.error?.code }).toEqual({ status, code });
}

const send = (client: Api, path: string, text = 'hi') =>
  client.post(`${path}/messages`, { client_msg_id: clientId(), text });

/** A team channel `team:crew` run by `owner` (its admin) with `mod` as moderator. */
async function crew(...more: string[]) {
  const t = await newTestApp();
  const clients = await t.users('owner', 'mod', 'ann', 'ben', 'outsider', ...more);
  const [owner, mod, ann, ben, outsider] = clients;
  const created = await owner!.post('/v1/channels', {
    type: 'team',
    id: 'crew',
    members: ['mod', 'ann', 'ben'],
  });
  expect(created.status).toBe(201);
  const path = '/v1/channels/team/crew';
  expect((await owner!.patch(`${path}/members/mod`, { role: 'moderator' })).status).toBe(200);
  const memberCount = async () => (await owner!.get(path)).body.channel.member_count as number;
  return {
    t,
    path,
    owner: owner!,
    mod: mod!,
    ann: ann!,
    ben: ben!,
    outsider: outsider!,
    clients,
    memberCount,
  };
}

describe('list members', () => {
  it('lists every member with role, mute, ban and unread state', async () => {
    const { path, ann, owner } = await crew();
    const list = await ann.get(`${path}/members`);
    expect(list.status).toBe(200);
    expect(ids(list).sort()).toEqual(['ann', 'ben', 'mod', 'owner']);
    expect(memberOf(list, 'owner')).toMatchObject({
      cid: 'team:crew',
      role: 'admin',
      muted: false,
      banned: false,
      ban_expires_at: null,
      unread_count: 0,
      user: { id: 'owner', name: 'OWNER' },
    });
    expect(memberOf(list, 'mod')?.role).toBe('moderator');
    expect(memberOf(list, 'ann')?.role).toBe('member');
    expect((await owner.get(`${path}/members`)).body).toEqual(list.body);
  });

  it('hides the members of a channel the caller may not read; a livestream shows them to anyone', async () => {
    const { t, path, outsider } = await crew();
    const hidden = await outsider.get(`${path}/members`);
    expectError(hidden, 404, 'not_found');
    expectError(await outsider.get('/v1/channels/team/nope/members'), 404, 'not_found');
    const [streamer] = await t.users('streamer');
    await streamer!.post('/v1/channels', { type: 'livestream', id: 'show' });
    const watched = await outsider.get('/v1/channels/livestream/show/members');
    expect(watched.status).toBe(200);
    expect(ids(watched)).toEqual(['streamer']);
  });

  it('rejects a bad channel type or id', async () => {
    const { ann } = await crew();
    const badType = await ann.get('/v1/channels/nosuchtype/crew/members');
    expectError(badType, 400, 'validation_failed');
    expect(badType.body.error.details.issues[0].path).toEqual(['type']);
    expectError(await ann.get('/v1/channels/team/bad%20id/members'), 400, 'validation_failed');
    expectError(await ann.get('/v1/channels/team/crew/members?limit=5'), 400, 'validation_failed');
  });
});

describe('add members', () => {
  it('adds members, returns them and bumps member_count', async () => {
    const { t, path, mod, memberCount } = await crew();
    await t.users('cat', 'dan');
    expect(await memberCount()).toBe(4);
    const added = await mod.post(`${path}/members`, { user_ids: ['cat', 'dan'] });
    expect(added.status).toBe(200);
    expect(ids(added).sort()).toEqual(['cat', 'dan']);
    expect(memberOf(added, 'cat')).toMatchObject({
      role: 'member',
      muted: false,
      banned: false,
      unread_count: 0,
    });
    expect(await memberCount()).toBe(6);
    expect(ids(await mod.get(`${path}/members`))).toEqual(expect.arrayContaining(['cat', 'dan']));
  });

  it('adding an existing member is a no-op', async () => {
    const { path, owner, mod, memberCount } = await crew();
    await owner.patch(`${path}/members/ann`, { role: 'moderator' });
    const seqBefore = (await owner.get(path)).body.channel.seq;
    const again = await mod.post(`${path}/members`, { user_ids: ['ann', 'ann'] });
    expect(again.status).toBe(200);
    expect(ids(again)).toEqual(['ann']);
    // Role and membership untouched; no event, no count change.
    expect(memberOf(again, 'ann')?.role).toBe('moderator');
    expect(await memberCount()).toBe(4);
    expect((await owner.get(path)).body.channel.seq).toBe(seqBefore);
  });

  it('adds the new ones of a mixed list and counts only them', async () => {
    const { t, path, mod, memberCount } = await crew();
    await t.users('cat');
    const added = await mod.post(`${path}/members`, { user_ids: ['ann', 'cat'] });
    expect(added.status).toBe(200);
    expect(ids(added).sort()).toEqual(['ann', 'cat']);
    expect(await memberCount()).toBe(5);
  });

  it('rejects an unknown user id, naming it, and adds nobody', async () => {
    const { t, path, mod, memberCount } = await crew();
    await t.users('cat');
    const reply = await mod.post(`${path}/members`, { user_ids: ['cat', 'ghost-1'] });
    expectError(reply, 400, 'validation_failed');
    expect(reply.body.error.message).toContain('ghost-1');
    expect(reply.body.error.message).not.toContain('cat');
    expect(reply.body.error.details.issues).toEqual([
      { path: ['user_ids'], message: expect.stringContaining('ghost-1') },
    ]);
    expect(await memberCount()).toBe(4);
    expect(ids(await mod.get(`${path}/members`))).not.toContain('cat');
  });

  it('rejects more than 100 ids, an empty list, a bad id and extra fields', async () => {
    const { path, mod } = await crew();
    const tooMany = Array.from({ length: 101 }, (_, i) => `u${i}`);
    const many = await mod.post(`${path}/members`, { user_ids: tooMany });
    expectError(many, 400, 'validation_failed');
    expect(many.body.error.details.issues[0].path).toEqual(['user_ids']);
    expectError(await mod.post(`${path}/members`, { user_ids: [] }), 400, 'validation_failed');
    expectError(await mod.post(`${path}/members`, {}), 400, 'validation_failed');
    expectError(await mod.post(`${path}/members`, { user_ids: ['bad id'] }), 400, 'validation_failed');
    expectError(
      await mod.post(`${path}/members`, { user_ids: ['ann'], role: 'admin' }),
      400,
      'validation_failed',
    );
    expectError(await mod.post(`${path}/members`, { user_ids: 'ann' }), 400, 'validation_failed');
  });

  it('exactly 100 ids is allowed', async () => {
    const t = await newTestApp();
    const hundred = Array.from({ length: 100 }, (_, i) => `u${i}`);
    const reply = await t.server.post('/v1/users', { users: hundred.map((id) => ({ id })) });
    expect(reply.status).toBe(200);
    const owner = await t.user('owner');
    await owner.post('/v1/channels', { type: 'messaging', id: 'big' });
    const added = await owner.post('/v1/channels/messaging/big/members', { user_ids: hundred });
    expect(added.status).toBe(200);
    expect(added.body.members).toHaveLength(100);
    expect((await owner.get('/v1/channels/messaging/big')).body.channel.member_count).toBe(101);
  });

  it('needs the add_members standing: a team member is refused, an outsider sees 404', async () => {
    const { t, path, ann, outsider, memberCount } = await crew();
    await t.users('cat');
    expectError(await ann.post(`${path}/members`, { user_ids: ['cat'] }), 403, 'forbidden');
    expectError(await outsider.post(`${path}/members`, { user_ids: ['cat'] }), 404, 'not_found');
    expectError(await outsider.post(`${path}/members`, { user_ids: ['outsider'] }), 404, 'not_found');
    expect(await memberCount()).toBe(4);
  });
});

describe('remove members and leave', () => {
  it('a moderator removes others; member_count drops', async () => {
    const { path, mod, ann, memberCount } = await crew();
    const removed = await mod.post(`${path}/members/remove`, { user_ids: ['ann', 'ben'] });
    expect(removed.status).toBe(200);
    expect(ids(removed).sort()).toEqual(['mod', 'owner']);
    expect(await memberCount()).toBe(2);
    // Removed from a team channel, ann can no longer see it.
    expectError(await ann.get(path), 404, 'not_found');
    expectError(await send(ann, path), 404, 'not_found');
  });

  it('anyone may leave: removing oneself needs no moderator', async () => {
    const { path, ann, owner, memberCount } = await crew();
    const left = await ann.post(`${path}/members/remove`, { user_ids: ['ann'] });
    expect(left.status).toBe(200);
    expect(await memberCount()).toBe(3);
    expect(ids(await owner.get(`${path}/members`))).not.toContain('ann');
    expectError(await ann.get(path), 404, 'not_found');
    // Leaving twice: the channel is now hidden from ann.
    expectError(await ann.post(`${path}/members/remove`, { user_ids: ['ann'] }), 404, 'not_found');
  });

  it('removing a non-member changes nothing', async () => {
    const { path, mod, memberCount } = await crew();
    const reply = await mod.post(`${path}/members/remove`, { user_ids: ['outsider'] });
    expect(reply.status).toBe(200);
    expect(await memberCount()).toBe(4);
  });

  it('a plain member cannot remove others; an outsider sees 404', async () => {
    const { path, ann, outsider, memberCount } = await crew();
    expectError(await ann.post(`${path}/members/remove`, { user_ids: ['ben'] }), 403, 'forbidden');
    expectError(await ann.post(`${path}/members/remove`, { user_ids: ['ann', 'ben'] }), 403, 'forbidden');
    expectError(await outsider.post(`${path}/members/remove`, { user_ids: ['ben'] }), 404, 'not_found');
    expect(await memberCount()).toBe(4);
  });

  it('rejects unknown ids, empty and oversized lists', async () => {
    const { path, mod, memberCount } = await crew();
    const unknown = await mod.post(`${path}/members/remove`, { user_ids: ['ann', 'ghost-2'] });
    expectError(unknown, 400, 'validation_failed');
    expect(unknown.body.error.message).toContain('ghost-2');
    expect(unknown.body.error.details.issues[0].path).toEqual(['user_ids']);
    expect(await memberCount()).toBe(4);
    expectError(await mod.post(`${path}/members/remove`, { user_ids: [] }), 400, 'validation_failed');
    const tooMany = Array.from({ length: 101 }, (_, i) => `u${i}`);
    expectError(await mod.post(`${path}/members/remove`, { user_ids: tooMany }), 400, 'validation_failed');
  });
});

describe('set role', () => {
  it('the channel admin promotes and demotes', async () => {
    const { path, owner, ann, ben } = await crew();
    const promoted = await owner.patch(`${path}/members/ann`, { role: 'moderator' });
    expect(promoted.status).toBe(200);
    expect(promoted.body.members).toHaveLength(1);
    expect(promoted.body.members[0]).toMatchObject({ user_id: 'ann', role: 'moderator' });
    // The new role takes effect: ann may now freeze the team channel.
    expect((await ann.post(`${path}/freeze`)).status).toBe(200);
    expect((await ann.post(`${path}/unfreeze`)).status).toBe(200);
    const demoted = await owner.patch(`${path}/members/ann`, { role: 'member' });
    expect(demoted.body.members[0].role).toBe('member');
    expectError(await ann.post(`${path}/freeze`), 403, 'forbidden');
    expect(memberOf(await ben.get(`${path}/members`), 'ann')?.role).toBe('member');
  });

  it('rejects a bad role with path [role]', async () => {
    const { path, owner } = await crew();
    for (const body of [{ role: 'owner' }, { role: 'ADMIN' }, { role: 1 }, {}]) {
      const reply = await owner.patch(`${path}/members/ann`, body);
      expectError(reply, 400, 'validation_failed');
      expect(reply.body.error.details.issues[0].path).toEqual(['role']);
    }
    expectError(
      await owner.patch(`${path}/members/ann`, { role: 'member', muted: true }),
      400,
      'validation_failed',
    );
  });

  it('needs channel admin: a moderator or member is refused, an outsider sees 404', async () => {
    const { path, mod, ann, outsider, owner } = await crew();
    expectError(await mod.patch(`${path}/members/ann`, { role: 'moderator' }), 403, 'forbidden');
    expectError(await ann.patch(`${path}/members/ann`, { role: 'admin' }), 403, 'forbidden');
    expectError(await outsider.patch(`${path}/members/ann`, { role: 'moderator' }), 404, 'not_found');
    expect(memberOf(await owner.get(`${path}/members`), 'ann')?.role).toBe('member');
  });

  it('answers 404 for a user who is not a member or does not exist', async () => {
    const { path, owner } = await crew();
    expectError(await owner.patch(`${path}/members/outsider`, { role: 'moderator' }), 404, 'not_found');
    expectError(await owner.patch(`${path}/members/ghost`, { role: 'moderator' }), 404, 'not_found');
  });
});

describe('mute and unmute', () => {
  it('mutes the channel for oneself only, and unmutes', async () => {
    const { path, ann, ben } = await crew();
    const muted = await ann.post(`${path}/mute`);
    expect(muted.status).toBe(200);
    expect(muted.body.members).toEqual([expect.objectContaining({ user_id: 'ann', muted: true })]);
    expect((await ann.get(path)).body.membership).toMatchObject({ user_id: 'ann', muted: true });
    const list = await ben.get(`${path}/members`);
    expect(memberOf(list, 'ann')?.muted).toBe(true);
    expect(memberOf(list, 'ben')?.muted).toBe(false);
    // Muting twice is harmless.
    expect((await ann.post(`${path}/mute`)).body.members[0].muted).toBe(true);
    const unmuted = await ann.post(`${path}/unmute`);
    expect(unmuted.status).toBe(200);
    expect(unmuted.body.members[0]).toMatchObject({ user_id: 'ann', muted: false });
    expect((await ann.get(path)).body.membership.muted).toBe(false);
  });

  it('a muted channel keeps its own count but leaves the unread total', async () => {
    const { path, ann, ben, mod } = await crew();
    await ann.post('/v1/channels', { type: 'team', id: 'other', members: ['ben'] });
    await ann.post(`${path}/mute`);
    await send(ben, path);
    await send(ben, path);
    await send(ben, '/v1/channels/team/other');
    expect((await ann.get('/v1/unread')).body).toEqual({
      total_unread_count: 1,
      channels: expect.arrayContaining([
        { cid: 'team:crew', unread_count: 2, muted: true },
        { cid: 'team:other', unread_count: 1, muted: false },
      ]),
    });
    // Inside the channel its count still shows.
    expect((await ann.get(path)).body.membership).toMatchObject({ muted: true, unread_count: 2 });
    // Unmuted, it counts again; others' totals never changed.
    await ann.post(`${path}/unmute`);
    expect((await ann.get('/v1/unread')).body.total_unread_count).toBe(3);
    expect((await mod.get('/v1/unread')).body.total_unread_count).toBe(2);
  });

  it('needs a membership: outsiders get 404, also on a livestream they can watch', async () => {
    const { t, path, outsider } = await crew();
    expectError(await outsider.post(`${path}/mute`), 404, 'not_found');
    const [streamer] = await t.users('streamer');
    await streamer!.post('/v1/channels', { type: 'livestream', id: 'show' });
    expectError(await outsider.post('/v1/channels/livestream/show/mute'), 404, 'not_found');
    expectError(await outsider.post('/v1/channels/livestream/show/unmute'), 404, 'not_found');
  });

  it('refuses query parameters', async () => {
    const { path, ann } = await crew();
    expectError(await ann.request('POST', `${path}/mute?forever=1`, {}), 400, 'validation_failed');
  });
});

describe('bans', () => {
  it('a ban without timeout blocks sending and reading until lifted', async () => {
    const { path, mod, ann, ben } = await crew();
    const banned = await mod.post(`${path}/bans`, { user_id: 'ann', reason: 'spam' });
    expect(banned.status).toBe(200);
    expect(banned.body.members).toEqual([
      expect.objectContaining({ user_id: 'ann', banned: true, ban_expires_at: null }),
    ]);
    expect(memberOf(await ben.get(`${path}/members`), 'ann')?.banned).toBe(true);

    expectError(await send(ann, path), 403, 'user_banned');
    expectError(await ann.get(`${path}/messages`), 403, 'user_banned');
    expectError(await ann.get(path), 403, 'user_banned');
    const message = await send(ben, path);
    expectError(await ann.get(`/v1/messages/${message.body.message.id}`), 403, 'user_banned');
    expectError(
      await ann.post(`/v1/messages/${message.body.message.id}/reactions`, { type: 'x' }),
      403,
      'user_banned',
    );
    expectError(await ann.post(`${path}/read`, {}), 403, 'user_banned');
    // Nor through the channel list or search.
    const listed = await ann.post('/v1/channels/query', {});
    expect(listed.status).toBe(200);
    const messagesSeen = (listed.body.channels as { messages: unknown[] }[]).flatMap((c) => c.messages);
    expect(messagesSeen).toEqual([]);
    expect((await ann.get('/v1/search?query=hi')).body.results).toEqual([]);

    const unbanned = await mod.delete(`${path}/bans/ann`);
    expect(unbanned.status).toBe(200);
    expect(unbanned.body.members[0]).toMatchObject({ user_id: 'ann', banned: false, ban_expires_at: null });
    expect((await send(ann, path)).status).toBe(201);
    // Ben's and ann's messages, between the system messages reporting the role, the ban and its end.
    const listed2 = (await ann.get(`${path}/messages`)).body.messages as Message[];
    expect(listed2.map((m) => m.system?.kind ?? m.user_id)).toEqual([
      'member.role_changed',
      'member.banned',
      'ben',
      'member.unbanned',
      'ann',
    ]);
    const relisted = await ann.post('/v1/channels/query', {});
    expect(relisted.body.channels.map((c: { channel: { cid: string } }) => c.channel.cid)).toEqual([
      'team:crew',
    ]);
  });

  it('a ban with a timeout reports its expiry and stops blocking once it passes', async () => {
    const { path, mod, ann, ben } = await crew();
    const before = Date.now();
    const banned = await mod.post(`${path}/bans`, { user_id: 'ann', timeout: 1 });
    expect(banned.status).toBe(200);
    const member = banned.body.members[0] as Member;
    expect(member).toMatchObject({ user_id: 'ann', banned: true });
    const expires = Date.parse(member.ban_expires_at!);
    expect(expires).toBeGreaterThanOrEqual(before + 1000 - 50);
    expect(expires).toBeLessThanOrEqual(Date.now() + 1000 + 50);
    expectError(await send(ann, path), 403, 'user_banned');

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expires - Date.now()) + 200));
    expect((await send(ann, path)).status).toBe(201);
    expect((await ann.get(`${path}/messages`)).status).toBe(200);
    const listed = await ann.post('/v1/channels/query', {});
    expect(listed.body.channels.map((c: { channel: { cid: string } }) => c.channel.cid)).toEqual([
      'team:crew',
    ]);
    expect(memberOf(await ben.get(`${path}/members`), 'ann')).toMatchObject({
      banned: false,
      ban_expires_at: null,
    });
  });

  it('a longer timeout still blocks, and a new ban replaces the old one', async () => {
    const { path, mod, ann } = await crew();
    await mod.post(`${path}/bans`, { user_id: 'ann', timeout: 3600 });
    expectError(await send(ann, path), 403, 'user_banned');
    const forever = await mod.post(`${path}/bans`, { user_id: 'ann' });
    expect(forever.body.members[0]).toMatchObject({ banned: true, ban_expires_at: null });
    expectError(await send(ann, path), 403, 'user_banned');
  });

  it('a banned livestream member cannot shed the ban by leaving and joining again', async () => {
    const t = await newTestApp();
    const [streamer, troll] = await t.users('streamer', 'troll');
    await streamer!.post('/v1/channels', { type: 'livestream', id: 'show' });
    const path = '/v1/channels/livestream/show';
    expect((await troll!.post(`${path}/members`, { user_ids: ['troll'] })).status).toBe(200);
    expect((await send(troll!, path)).status).toBe(201);
    expect((await streamer!.post(`${path}/bans`, { user_id: 'troll' })).status).toBe(200);
    await troll!.post(`${path}/members/remove`, { user_ids: ['troll'] });
    await troll!.post(`${path}/members`, { user_ids: ['troll'] });
    expectError(await send(troll!, path), 403, 'user_banned');
  });

  it('refuses to ban yourself', async () => {
    const { path, mod } = await crew();
    const reply = await mod.post(`${path}/bans`, { user_id: 'mod' });
    expectError(reply, 400, 'validation_failed');
    expect((await send(mod, path)).status).toBe(201);
  });

  it('is for moderators: a member is refused, an outsider sees 404', async () => {
    const { path, ann, ben, outsider, owner } = await crew();
    expectError(await ann.post(`${path}/bans`, { user_id: 'ben' }), 403, 'forbidden');
    expectError(await outsider.post(`${path}/bans`, { user_id: 'ben' }), 404, 'not_found');
    expect((await send(ben, path)).status).toBe(201);
    // The channel admin outranks moderators and may ban too; only moderators may lift it.
    expect((await owner.post(`${path}/bans`, { user_id: 'ben' })).status).toBe(200);
    expectError(await ann.delete(`${path}/bans/ben`), 403, 'forbidden');
    expectError(await send(ben, path), 403, 'user_banned');
  });

  it('rejects bad timeouts, unknown fields and users who are not members', async () => {
    const { path, mod } = await crew();
    for (const timeout of [0, -5, 1.5, '10', 365 * 24 * 3600 + 1]) {
      const reply = await mod.post(`${path}/bans`, { user_id: 'ann', timeout });
      expectError(reply, 400, 'validation_failed');
      expect(reply.body.error.details.issues[0].path).toEqual(['timeout']);
    }
    expectError(await mod.post(`${path}/bans`, {}), 400, 'validation_failed');
    expectError(await mod.post(`${path}/bans`, { user_id: 'ann', forever: true }), 400, 'validation_failed');
    expectError(await mod.post(`${path}/bans`, { user_id: 'ghost' }), 404, 'not_found');
    expectError(await mod.post(`${path}/bans`, { user_id: 'outsider' }), 404, 'not_found');
    expectError(await mod.delete(`${path}/bans/ghost`), 404, 'not_found');
  });
});

describe('unread counts per member', () => {
  it("increments on others' messages, not one's own, and resets on read", async () => {
    const { path, owner, ann, ben } = await crew();
    await send(ann, path, 'one');
    await send(ann, path, 'two');
    await send(ben, path, 'three');
    const counts = async () =>
      Object.fromEntries(
        (await owner.get(`${path}/members`)).body.members.map((m: Member) => [m.user_id, m.unread_count]),
      );
    expect(await counts()).toEqual({ owner: 3, mod: 3, ann: 1, ben: 2 });

    const read = await ben.post(`${path}/read`, {});
    expect(read.status).toBe(200);
    expect(read.body.read[0]).toMatchObject({ user_id: 'ben', unread_count: 0 });
    expect(await counts()).toEqual({ owner: 3, mod: 3, ann: 1, ben: 0 });
    expect((await ben.get('/v1/unread')).body.total_unread_count).toBe(0);

    await send(ann, path, 'four');
    expect(await counts()).toEqual({ owner: 4, mod: 4, ann: 1, ben: 1 });
    expect((await ben.get(path)).body.membership.unread_count).toBe(1);
    expect((await ann.get('/v1/unread')).body).toEqual({
      total_unread_count: 1,
      channels: [{ cid: 'team:crew', unread_count: 1, muted: false }],
    });
  });

  it('marking read up to an older message leaves the later ones unread', async () => {
    const { path, owner, ann } = await crew();
    const first = await send(ann, path, 'one');
    await send(ann, path, 'two');
    await send(ann, path, 'three');
    const read = await owner.post(`${path}/read`, { message_id: first.body.message.id });
    expect(read.body.read[0]).toMatchObject({ unread_count: 2, last_read_message_id: first.body.message.id });
    expect(memberOf(await owner.get(`${path}/members`), 'owner')?.unread_count).toBe(2);
  });

  it('a new member starts at zero', async () => {
    const { t, path, mod, ann } = await crew();
    await send(ann, path);
    await t.users('cat');
    const added = await mod.post(`${path}/members`, { user_ids: ['cat'] });
    expect(memberOf(added, 'cat')?.unread_count).toBe(0);
  });
});
