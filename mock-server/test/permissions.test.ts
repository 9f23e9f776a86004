import { generateKeyPairSync } from 'node:crypto';
import { type ChannelType, type EndpointBody, type EndpointName, endpoints } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { createServerToken } from '../src/domain/auth/index';
import { type ChannelAccess, requireAccess } from '../src/domain/channels/channel-access';
import {
  ACTIONS,
  type Action,
  authorize,
  type ChannelStanding,
  can,
  PERMISSIONS,
} from '../src/domain/channels/permissions';
import type { Actor } from '../src/kernel/actor';
import { ChatError } from '../src/kernel/errors';
import type { ChannelRow } from '../src/store/schema';
import { type Api, clientId, getTestServer, newTestApp, type Reply, type TestApp } from './api';

const TYPES: readonly ChannelType[] = ['messaging', 'team', 'livestream'];
const STANDINGS: readonly ChannelStanding[] = ['none', 'member', 'moderator', 'admin'];

/** The ranking of standings, written out here so expectations do not lean on the code under test. */
const RANK: Record<ChannelStanding, number> = { none: 0, member: 1, moderator: 2, admin: 3 };
const allowedBy = (type: ChannelType, standing: ChannelStanding, action: Action) =>
  RANK[standing] >= RANK[PERMISSIONS[type][action]];

/** How a request ended, compact enough to compare a whole matrix row at once. */
type Outcome = 'ok' | `${number} ${string}`;
function outcome(reply: Reply): Outcome {
  if (reply.status >= 200 && reply.status < 300) return 'ok';
  const code = (reply.body as { error?: { code?: string } } | null)?.error?.code ?? '?';
  return `${reply.status} ${code}`;
}

/** What the table says a user of `standing` gets for `action`: denied reads hide the channel. */
function expectedOutcome(type: ChannelType, standing: ChannelStanding, action: Action): Outcome {
  if (!allowedBy(type, standing, 'read')) return '404 not_found';
  return allowedBy(type, standing, action) ? 'ok' : '403 forbidden';
}

/** One channel prepared for one actor: everybody the actions need is already there. */
interface Scene {
  t: TestApp;
  type: ChannelType;
  /** `/v1/channels/{type}/{id}` */
  path: string;
  /** The creator, the channel's admin. */
  owner: Api;
  /** Who performs the actions under test. */
  actor: Api;
  /** The actor's user id; null for the server token. */
  actorId: string | null;
  /** A top-level message of another member ("author"). */
  messageId: string;
}

const CHANNEL_ID = 'room';
const EXTRA_MEMBERS = ['author', 'rm-target', 'role-target', 'ban-target'];

/**
 * A fresh app and channel: `owner` creates it with the extra members (and `actor` when the
 * standing is not `none`), gives `actor` its role and `author` posts a message.
 */
async function scene(
  type: ChannelType,
  standing: ChannelStanding,
  actorKind: 'user' | 'app-admin' | 'server' = 'user',
): Promise<Scene> {
  const t = await newTestApp();
  const [owner, actorUser, author] = await t.users(
    'owner',
    'actor',
    'author',
    'rm-target',
    'role-target',
    'ban-target',
    'newcomer',
    'joiner',
  );
  if (actorKind === 'app-admin') {
    const upsert = await t.server.post('/v1/users', { users: [{ id: 'actor', role: 'admin' }] });
    expect(upsert.status).toBe(200);
    expect(upsert.body.users[0].role).toBe('admin');
  }
  const members = standing === 'none' ? EXTRA_MEMBERS : ['actor', ...EXTRA_MEMBERS];
  const created = await owner!.post('/v1/channels', { type, id: CHANNEL_ID, members });
  expect(created.status).toBe(201);
  const path = `/v1/channels/${type}/${CHANNEL_ID}`;
  if (standing === 'moderator' || standing === 'admin') {
    const role = await owner!.patch(`${path}/members/actor`, { role: standing });
    expect(role.status).toBe(200);
    expect(role.body.members[0]).toMatchObject({ user_id: 'actor', role: standing });
  }
  const sent = await author!.post(`${path}/messages`, { client_msg_id: clientId(), text: 'hello' });
  expect(sent.status).toBe(201);
  return {
    t,
    type,
    path,
    owner: owner!,
    actor: actorKind === 'server' ? t.server : actorUser!,
    actorId: actorKind === 'server' ? null : 'actor',
    messageId: sent.body.message.id,
  };
}

type Step = [label: string, reply: Reply];
const THUMBS = encodeURIComponent('👍');

/** The real requests behind each action (`typing` has no REST route; it is covered below). */
const PERFORM: Record<Exclude<Action, 'typing'>, (s: Scene) => Promise<Step[]>> = {
  read: async ({ actor, path, messageId }) => [
    ['GET channel', await actor.get(path)],
    ['GET messages', await actor.get(`${path}/messages`)],
    ['GET members', await actor.get(`${path}/members`)],
    ['GET read state', await actor.get(`${path}/read`)],
    ['GET message', await actor.get(`/v1/messages/${messageId}`)],
    ['GET reactions', await actor.get(`/v1/messages/${messageId}/reactions`)],
    ['GET pinned', await actor.get(`${path}/pinned`)],
  ],
  join: async ({ t, path }) => {
    // A second user of the same standing (`none`), so the actor's own standing never changes.
    const joiner = await t.user('joiner');
    return [['add self', await joiner.post(`${path}/members`, { user_ids: ['joiner'] })]];
  },
  send: async ({ actor, actorId, path }) => [
    [
      'POST message',
      await actor.post(`${path}/messages`, {
        client_msg_id: clientId(),
        text: 'from the actor',
        ...(actorId === null && { user_id: 'author' }),
      }),
    ],
  ],
  react: async ({ actor, messageId }) => [
    ['add reaction', await actor.post(`/v1/messages/${messageId}/reactions`, { type: '👍' })],
    ['remove reaction', await actor.delete(`/v1/messages/${messageId}/reactions/${THUMBS}`)],
  ],
  mark_read: async ({ actor, path }) => [['mark read', await actor.post(`${path}/read`, {})]],
  pin: async ({ actor, messageId }) => [
    ['pin', await actor.post(`/v1/messages/${messageId}/pin`)],
    ['unpin', await actor.delete(`/v1/messages/${messageId}/pin`)],
  ],
  delete_any_message: async ({ actor, messageId }) => [
    ["delete another's message", await actor.delete(`/v1/messages/${messageId}`)],
  ],
  update_channel: async ({ actor, path }) => [
    ['PATCH channel', await actor.patch(path, { name: 'Renamed' })],
  ],
  add_members: async ({ actor, path }) => [
    ['add other', await actor.post(`${path}/members`, { user_ids: ['newcomer'] })],
  ],
  remove_members: async ({ actor, path }) => [
    ['remove other', await actor.post(`${path}/members/remove`, { user_ids: ['rm-target'] })],
  ],
  set_role: async ({ actor, path }) => [
    ['set role', await actor.patch(`${path}/members/role-target`, { role: 'moderator' })],
  ],
  ban: async ({ actor, path }) => [
    ['ban', await actor.post(`${path}/bans`, { user_id: 'ban-target' })],
    ['unban', await actor.delete(`${path}/bans/ban-target`)],
  ],
  freeze: async ({ actor, path }) => [
    ['freeze', await actor.post(`${path}/freeze`)],
    ['unfreeze', await actor.post(`${path}/unfreeze`)],
  ],
  truncate: async ({ actor, path }) => [['truncate', await actor.post(`${path}/truncate`)]],
  // Set and turned off again, so the sends of later actions are not held.
  slow_mode: async ({ actor, path }) => [
    ['set slow mode', await actor.put(`${path}/slow-mode`, { slow_mode_s: 30 })],
    ['turn slow mode off', await actor.put(`${path}/slow-mode`, { slow_mode_s: 0 })],
  ],
  delete_channel: async ({ actor, path }) => [['DELETE channel', await actor.delete(path)]],
};

/**
 * The order actions run in on one channel: message actions before the message is deleted, and
 * the destructive ones (freeze, truncate, delete) last.
 */
const ORDER: Exclude<Action, 'typing'>[] = [
  'read',
  'send',
  'react',
  'mark_read',
  'pin',
  'delete_any_message',
  'update_channel',
  'add_members',
  'remove_members',
  'set_role',
  'ban',
  'slow_mode',
  'freeze',
  'truncate',
  'join',
  'delete_channel',
];

/** Runs `actions` in order and returns each request's outcome, keyed `action: label`. */
async function run(
  s: Scene,
  actions: readonly Exclude<Action, 'typing'>[],
): Promise<Record<string, Outcome>> {
  const out: Record<string, Outcome> = {};
  for (const action of actions) {
    for (const [label, reply] of await PERFORM[action](s)) out[`${action}: ${label}`] = outcome(reply);
  }
  return out;
}

/** The expected outcome of every request in `actual`, by the action it belongs to. */
function expectation(actual: Record<string, Outcome>, expected: (action: Action) => Outcome) {
  const out: Record<string, Outcome> = {};
  for (const key of Object.keys(actual)) out[key] = expected(key.slice(0, key.indexOf(':')) as Action);
  return out;
}

describe('the permission table', () => {
  it('is pinned: every type, action and least standing', () => {
    expect(PERMISSIONS).toEqual({
      messaging: {
        read: 'member',
        join: 'admin',
        send: 'member',
        react: 'member',
        mark_read: 'member',
        typing: 'member',
        pin: 'member',
        update_channel: 'member',
        freeze: 'moderator',
        truncate: 'admin',
        delete_channel: 'admin',
        add_members: 'member',
        remove_members: 'moderator',
        set_role: 'admin',
        ban: 'moderator',
        delete_any_message: 'moderator',
        slow_mode: 'moderator',
      },
      team: {
        read: 'member',
        join: 'moderator',
        send: 'member',
        react: 'member',
        mark_read: 'member',
        typing: 'member',
        pin: 'member',
        update_channel: 'moderator',
        freeze: 'moderator',
        truncate: 'admin',
        delete_channel: 'admin',
        add_members: 'moderator',
        remove_members: 'moderator',
        set_role: 'admin',
        ban: 'moderator',
        delete_any_message: 'moderator',
        slow_mode: 'moderator',
      },
      livestream: {
        read: 'none',
        join: 'none',
        send: 'member',
        react: 'member',
        mark_read: 'member',
        typing: 'member',
        pin: 'moderator',
        update_channel: 'moderator',
        freeze: 'moderator',
        truncate: 'admin',
        delete_channel: 'admin',
        add_members: 'moderator',
        remove_members: 'moderator',
        set_role: 'admin',
        ban: 'moderator',
        delete_any_message: 'moderator',
        slow_mode: 'moderator',
      },
    });
  });

  it('has a REST check for every action but typing, which is covered at unit level', () => {
    expect([...Object.keys(PERFORM), 'typing'].sort()).toEqual([...ACTIONS].sort());
    expect([...ORDER].sort()).toEqual(Object.keys(PERFORM).sort());
  });
});

describe('permission matrix over HTTP', () => {
  for (const type of TYPES) {
    for (const standing of STANDINGS) {
      it(`${type} × ${standing}: each action succeeds exactly when PERMISSIONS allows it`, async () => {
        const s = await scene(type, standing);
        // Joining is adding oneself while not a member, so only `none` can attempt it.
        const actions = standing === 'none' ? ORDER : ORDER.filter((a) => a !== 'join');
        const actual = await run(s, actions);
        expect(actual).toEqual(expectation(actual, (action) => expectedOutcome(type, standing, action)));
      });
    }
  }

  // A ban takes every power in the channel away, whatever the role: a banned moderator cannot
  // ban or remove others, a banned member cannot rename the channel or add members, and nobody
  // lifts their own ban or leaves to shed it. Only the app's backend (server token) bans here,
  // since a channel admin cannot be banned by anyone of the channel.
  for (const type of TYPES) {
    for (const kind of ['member', 'moderator', 'admin', 'app-admin'] as const) {
      it(`${type} × banned ${kind}: every action is refused with user_banned`, async () => {
        const s = await scene(
          type,
          kind === 'app-admin' ? 'member' : kind,
          kind === 'app-admin' ? 'app-admin' : 'user',
        );
        const ban = await s.t.server.post(`${s.path}/bans`, { user_id: 'actor' });
        expect(ban.status, JSON.stringify(ban.body)).toBe(200);
        const actual = await run(
          s,
          ORDER.filter((a) => a !== 'join'),
        );
        actual['lift own ban'] = outcome(await s.actor.delete(`${s.path}/bans/actor`));
        actual.leave = outcome(await s.actor.post(`${s.path}/members/remove`, { user_ids: ['actor'] }));
        actual.mute = outcome(await s.actor.post(`${s.path}/mute`));
        actual.draft = outcome(await s.actor.put(`${s.path}/draft`, { text: 'x' }));
        expect(actual).toEqual(Object.fromEntries(Object.keys(actual).map((k) => [k, '403 user_banned'])));
        // Nothing the banned actor tried took effect: the channel, its members and the ban stand.
        const after = await s.owner.get(s.path);
        expect(after.status).toBe(200);
        expect(after.body.channel.name).toBeNull();
        expect(after.body.channel.frozen).toBe(false);
        const members = (await s.t.server.get(`${s.path}/members`)).body.members as {
          user_id: string;
          role: string;
          banned: boolean;
        }[];
        expect(members.map((m) => m.user_id).sort()).toEqual(
          ['actor', 'author', 'owner', ...EXTRA_MEMBERS.slice(1)].sort(),
        );
        expect(members.find((m) => m.user_id === 'actor')?.banned).toBe(true);
        expect(members.find((m) => m.user_id === 'role-target')?.role).toBe('member');
        // The backend lifts it, and the powers come back.
        expect((await s.t.server.delete(`${s.path}/bans/actor`)).status).toBe(200);
        expect(outcome((await PERFORM.read(s))[0]![1])).toBe('ok');
      });
    }
  }

  // App-wide standing. A shadow ban changes nothing its user can observe: every action
  // answers as for anyone of that standing. An app ban refuses everything. A timeout refuses
  // sending and reacting, and leaves the rest as the table says.
  for (const type of TYPES) {
    for (const standing of ['member', 'moderator'] as const) {
      it(`${type} × shadow-banned ${standing}: each action answers as it would without the ban`, async () => {
        const s = await scene(type, standing);
        const ban = await s.t.server.post('/v1/users/actor/ban', { shadow: true });
        expect(ban.body.standing?.shadow_banned, JSON.stringify(ban.body)).toBe(true);
        const actual = await run(
          s,
          ORDER.filter((a) => a !== 'join'),
        );
        expect(actual).toEqual(expectation(actual, (action) => expectedOutcome(type, standing, action)));
      });
    }

    it(`${type} × app-banned moderator: every action is refused with app_banned, and nothing changes`, async () => {
      const s = await scene(type, 'moderator');
      const texts = async () =>
        (await s.owner.get(`${s.path}/messages`)).body.messages.map((m: { text: string }) => m.text);
      const before = await texts();
      expect((await s.t.server.post('/v1/users/actor/ban', { reason: 'spam' })).status).toBe(200);
      const actual = await run(
        s,
        ORDER.filter((a) => a !== 'join'),
      );
      expect(actual).toEqual(Object.fromEntries(Object.keys(actual).map((k) => [k, '403 app_banned'])));
      const after = await s.owner.get(s.path);
      expect(after.body.channel).toMatchObject({ name: null, frozen: false });
      expect(await texts()).toEqual(before);
    });

    it(`${type} × timed-out member: sending and reacting are refused with timed_out, the rest as the table says`, async () => {
      const s = await scene(type, 'member');
      expect((await s.t.server.post('/v1/users/actor/timeout', { timeout: 600 })).status).toBe(200);
      const actual = await run(
        s,
        ORDER.filter((a) => a !== 'join'),
      );
      expect(actual).toEqual(
        expectation(actual, (action) =>
          action === 'send' || action === 'react' ? '403 timed_out' : expectedOutcome(type, 'member', action),
        ),
      );
    });
  }

  for (const type of TYPES) {
    it(`${type}: an app admin who is not a member may do everything`, async () => {
      const s = await scene(type, 'none', 'app-admin');
      const before = ORDER.filter((a) => a !== 'join' && a !== 'mark_read' && a !== 'delete_channel');
      const actual = await run(s, before);
      // Joining is adding oneself; read state then belongs to the new membership.
      const joined = await s.actor.post(`${s.path}/members`, { user_ids: ['actor'] });
      actual['join: add self'] = outcome(joined);
      expect(joined.body.members?.map((m: { user_id: string }) => m.user_id)).toContain('actor');
      Object.assign(actual, await run(s, ['mark_read', 'delete_channel']));
      expect(Object.keys(actual).map((k) => k.slice(0, k.indexOf(':')))).toEqual(
        expect.arrayContaining([...ORDER]),
      );
      expect(actual).toEqual(expectation(actual, () => 'ok'));
    });

    it(`${type}: the server token may do everything a token without a user can`, async () => {
      const s = await scene(type, 'none', 'server');
      const actions = ORDER.filter((a) => a !== 'join' && a !== 'react' && a !== 'mark_read');
      const actual = await run(s, actions);
      expect(actual).toEqual(expectation(actual, () => 'ok'));
      // Reactions and read state belong to a user; a server token has none.
      const fresh = await scene(type, 'none', 'server');
      expect(outcome((await PERFORM.react(fresh))[0]![1])).toBe('403 forbidden');
      expect(outcome((await PERFORM.mark_read(fresh))[0]![1])).toBe('403 forbidden');
    });
  }
});

describe('permission spot checks over HTTP', () => {
  it('a non-member can read a livestream but not a messaging or team channel', async () => {
    const t = await newTestApp();
    const [owner, stranger] = await t.users('owner', 'stranger');
    for (const type of TYPES) {
      expect((await owner!.post('/v1/channels', { type, id: 'spot' })).status).toBe(201);
    }
    const live = await stranger!.get('/v1/channels/livestream/spot');
    expect(live.status).toBe(200);
    expect(live.body.membership).toBeNull();
    for (const type of ['messaging', 'team']) {
      const hidden = await stranger!.get(`/v1/channels/${type}/spot`);
      expect(hidden.status).toBe(404);
      expect(hidden.body.error.code).toBe('not_found');
      // ...and indistinguishable from a channel that does not exist.
      const missing = await stranger!.get(`/v1/channels/${type}/nope`);
      expect(missing.status).toBe(404);
      expect(hidden.body.error.message).toBe(missing.body.error.message);
    }
    expect(
      (await stranger!.post('/v1/channels/livestream/spot/members', { user_ids: ['stranger'] })).status,
    ).toBe(200);
    expect(
      (await stranger!.post('/v1/channels/messaging/spot/members', { user_ids: ['stranger'] })).status,
    ).toBe(404);
  });

  it('a member cannot freeze a team channel; a moderator can', async () => {
    const t = await newTestApp();
    const [owner, member, moderator] = await t.users('owner', 'member', 'moderator');
    await owner!.post('/v1/channels', { type: 'team', id: 'ops', members: ['member', 'moderator'] });
    await owner!.patch('/v1/channels/team/ops/members/moderator', { role: 'moderator' });
    const denied = await member!.post('/v1/channels/team/ops/freeze');
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');
    const frozen = await moderator!.post('/v1/channels/team/ops/freeze');
    expect(frozen.status).toBe(200);
    expect(frozen.body.channel.frozen).toBe(true);
    const send = await member!.post('/v1/channels/team/ops/messages', {
      client_msg_id: clientId(),
      text: 'hi',
    });
    expect(send.status).toBe(403);
    expect(send.body.error.code).toBe('channel_frozen');
  });

  it('a member may rename a messaging channel but not a team channel', async () => {
    const t = await newTestApp();
    const [owner, member] = await t.users('owner', 'member');
    await owner!.post('/v1/channels', { type: 'messaging', id: 'm', members: ['member'] });
    await owner!.post('/v1/channels', { type: 'team', id: 't', members: ['member'] });
    expect((await member!.patch('/v1/channels/messaging/m', { name: 'ours' })).body.channel.name).toBe(
      'ours',
    );
    const denied = await member!.patch('/v1/channels/team/t', { name: 'mine' });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');
  });

  it("a moderator can delete anyone's message; a plain member only their own", async () => {
    const t = await newTestApp();
    const [owner, author, member, moderator] = await t.users('owner', 'author', 'member', 'moderator');
    await owner!.post('/v1/channels', {
      type: 'messaging',
      id: 'mod',
      members: ['author', 'member', 'moderator'],
    });
    await owner!.patch('/v1/channels/messaging/mod/members/moderator', { role: 'moderator' });
    const post = async () =>
      (await author!.post('/v1/channels/messaging/mod/messages', { client_msg_id: clientId(), text: 'x' }))
        .body.message.id as string;
    const first = await post();
    const denied = await member!.delete(`/v1/messages/${first}`);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');
    const deleted = await moderator!.delete(`/v1/messages/${first}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.message.deleted_at).not.toBeNull();
    const own = await member!.post('/v1/channels/messaging/mod/messages', {
      client_msg_id: clientId(),
      text: 'y',
    });
    expect((await member!.delete(`/v1/messages/${own.body.message.id}`)).status).toBe(200);
  });

  it('only the sender may take a link preview off: not a moderator, the channel admin or an outsider', async () => {
    const t = await newTestApp();
    const [owner, author, moderator, stranger] = await t.users('owner', 'author', 'moderator', 'stranger');
    await owner!.post('/v1/channels', { type: 'messaging', id: 'links', members: ['author', 'moderator'] });
    await owner!.patch('/v1/channels/messaging/links/members/moderator', { role: 'moderator' });
    // Without previews: no job fetches the link; taking it off is still the sender's alone.
    const sent = await author!.post('/v1/channels/messaging/links/messages', {
      client_msg_id: clientId(),
      text: 'see https://example.com/page',
      skip_link_previews: true,
    });
    const path = `/v1/messages/${sent.body.message.id}/link-previews?url=${encodeURIComponent('https://example.com/page')}`;
    for (const other of [owner!, moderator!]) {
      const denied = await other.delete(path);
      expect(denied.status).toBe(403);
      expect(denied.body.error.code).toBe('forbidden');
    }
    const hidden = await stranger!.delete(path);
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.code).toBe('not_found');
    const removed = await author!.delete(path);
    expect(removed.status).toBe(200);
    expect(removed.body.message.link_previews).toEqual([]);
  });

  it('only the channel admin may truncate or delete, not a moderator', async () => {
    const t = await newTestApp();
    const [owner, moderator] = await t.users('owner', 'moderator');
    await owner!.post('/v1/channels', { type: 'team', id: 'x', members: ['moderator'] });
    await owner!.patch('/v1/channels/team/x/members/moderator', { role: 'moderator' });
    for (const reply of [
      await moderator!.post('/v1/channels/team/x/truncate'),
      await moderator!.delete('/v1/channels/team/x'),
    ]) {
      expect(reply.status).toBe(403);
      expect(reply.body.error.code).toBe('forbidden');
    }
    expect((await owner!.post('/v1/channels/team/x/truncate')).status).toBe(200);
    expect((await owner!.delete('/v1/channels/team/x')).status).toBe(200);
    expect((await owner!.get('/v1/channels/team/x')).status).toBe(404);
  });
});

/** Endpoints only the app's backend may call (a server token): `auth: 'server'` in the protocol table. */
type BackendEndpoint = {
  [N in EndpointName]: (typeof endpoints)[N]['auth'] extends 'server' ? N : never;
}[EndpointName];
const BACKEND = (Object.keys(endpoints) as EndpointName[]).filter(
  (name): name is BackendEndpoint => endpoints[name].auth === 'server',
);

/** An app with what its backend manages: a webhook endpoint with an entry in its log, and a hook. */
interface Backstage {
  t: TestApp;
  webhook: string;
  delivery: string;
}

const HOOK_URL = 'https://hooks.example.com';

async function backstage(): Promise<Backstage> {
  const t = await newTestApp();
  const created = await t.server.post('/v1/webhooks', {
    name: 'backstage',
    url: `${HOOK_URL}/backstage`,
    enabled: false,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const delivery = await (await getTestServer()).store.db
    .insertInto('webhook_deliveries')
    .values({
      app_id: t.app.id,
      webhook_id: created.body.webhook.id,
      message_id: 'msg_00000000000000000000000000000000',
      event_id: 'backstage:1',
      event_type: 'message.new',
      body: '{"type":"message.new"}',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const hook = await t.server.put('/v1/hooks/before-send', { url: `${HOOK_URL}/hook`, enabled: false });
  expect(hook.status, JSON.stringify(hook.body)).toBe(200);
  return { t, webhook: created.body.webhook.id, delivery: delivery.id };
}

/**
 * A call to each backend endpoint on the app's own data, with a body that would change something
 * if it were let through. Total: a new backend endpoint does not compile until it has one.
 */
const BACKEND_CALLS: {
  [N in BackendEndpoint]: (s: Backstage) => { params?: Record<string, string>; body?: EndpointBody<N> };
} = {
  upsertUsers: () => ({ body: { users: [{ id: 'intruder' }, { id: 'member', role: 'admin' }] } }),
  createWebhook: () => ({ body: { name: 'mine', url: `${HOOK_URL}/mine`, events: [], enabled: true } }),
  listWebhooks: () => ({}),
  getWebhook: (s) => ({ params: { webhookId: s.webhook } }),
  updateWebhook: (s) => ({
    params: { webhookId: s.webhook },
    body: { url: `${HOOK_URL}/mine`, enabled: true },
  }),
  deleteWebhook: (s) => ({ params: { webhookId: s.webhook } }),
  rotateWebhookSecret: (s) => ({ params: { webhookId: s.webhook }, body: { previous_secret_ttl_s: 0 } }),
  listWebhookDeliveries: (s) => ({ params: { webhookId: s.webhook } }),
  replayWebhookDelivery: (s) => ({ params: { webhookId: s.webhook, deliveryId: s.delivery } }),
  replayWebhookEvents: (s) => ({
    params: { webhookId: s.webhook },
    body: { since: '2020-01-01T00:00:00.000Z' },
  }),
  getBeforeSendHook: () => ({}),
  setBeforeSendHook: () => ({ body: { url: `${HOOK_URL}/mine`, on_failure: 'reject', enabled: true } }),
  deleteBeforeSendHook: () => ({}),
  getPushSettings: () => ({}),
  setPushSettings: () => ({ body: { include_content: false } }),
  getPushStats: () => ({}),
  getUploadPolicy: () => ({}),
  setUploadPolicy: () => ({ body: { max_bytes: 1, allowed_types: ['application/x-intruder'] } }),
  setWebPush: () => ({ body: { subject: 'mailto:intruder@example.com' } }),
  deleteWebPush: () => ({}),
  setFcmPush: () => ({
    body: {
      service_account: {
        project_id: 'intruder',
        client_email: 'intruder@example.com',
        private_key: generateKeyPairSync('rsa', { modulusLength: 2048 })
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
      },
    },
  }),
  deleteFcmPush: () => ({}),
  setApnsPush: () => ({
    body: {
      key: generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
      key_id: 'INTRUDER01',
      team_id: 'INTRUDER02',
      bundle_id: 'com.intruder.app',
    },
  }),
  deleteApnsPush: () => ({}),
};

/** Calls every backend endpoint as `api` on `s`'s data; each outcome keyed by endpoint. */
async function callBackend(api: Api, s: Backstage): Promise<Record<string, Outcome>> {
  const out: Record<string, Outcome> = {};
  for (const name of BACKEND) {
    const { params = {}, body } = BACKEND_CALLS[name](s) as {
      params?: Record<string, string>;
      body?: unknown;
    };
    const path = endpoints[name].path.replace(/\{(\w+)\}/g, (_, key: string) => params[key]!);
    out[name] = outcome(await api.request(endpoints[name].method, path, body));
  }
  return out;
}

/** What the backend endpoints manage, read with the app's own server token. */
async function backendState(s: Backstage) {
  const get = async (path: string) => {
    const reply = await s.t.server.get(path);
    return { status: reply.status, body: reply.body };
  };
  return {
    webhooks: await get('/v1/webhooks'),
    deliveries: await get(`/v1/webhooks/${s.webhook}/deliveries?limit=100`),
    hook: await get('/v1/hooks/before-send'),
    users: await get('/v1/users?ids=intruder,member'),
    uploadPolicy: await get('/v1/upload-policy'),
  };
}

describe('endpoints of the app backend (server token only)', () => {
  it('has a call for every endpoint the protocol table reserves to server tokens', () => {
    expect(Object.keys(BACKEND_CALLS).sort()).toEqual([...BACKEND].sort());
    expect(BACKEND.length).toBeGreaterThan(1);
  });

  it("refuses every user token, an app admin's and a channel admin's too, and nothing changes", async () => {
    const s = await backstage();
    const [member, boss, owner] = await s.t.users('member', 'boss', 'owner');
    const upsert = await s.t.server.post('/v1/users', { users: [{ id: 'boss', role: 'admin' }] });
    expect(upsert.body.users[0].role).toBe('admin');
    expect((await owner!.post('/v1/channels', { type: 'team', id: 'ops', members: ['member'] })).status).toBe(
      201,
    );
    const before = await backendState(s);
    expect(before.deliveries.body.deliveries).toHaveLength(1);
    expect(before.hook.body.hook).not.toBeNull();

    for (const api of [member!, boss!, owner!]) {
      const actual = await callBackend(api, s);
      expect(actual).toEqual(Object.fromEntries(BACKEND.map((name) => [name, '403 forbidden'])));
    }
    expect(await backendState(s)).toEqual(before);
  });

  it("never lets another app's server token reach this app's backend data", async () => {
    const s = await backstage();
    const other = await newTestApp();
    const before = await backendState(s);

    // Signed with the other app's secret, presented with this app's key: not a token of this app.
    const forged = s.t.anonymous.as(await createServerToken(other.app.api_secret));
    const actual = await callBackend(forged, s);
    expect(actual).toEqual(Object.fromEntries(BACKEND.map((name) => [name, '401 unauthenticated'])));

    // With its own key it acts on its own app: this app's ids name nothing there.
    const own = await callBackend(other.server, s);
    const namesAnId = (name: BackendEndpoint) => endpoints[name].path.includes('{webhookId}');
    expect(own).toEqual(
      Object.fromEntries(BACKEND.map((name) => [name, namesAnId(name) ? '404 not_found' : 'ok'])),
    );
    const theirs = JSON.stringify((await other.server.get('/v1/webhooks')).body);
    expect(theirs).not.toContain(s.webhook);
    expect(await backendState(s)).toEqual(before);
  });
});

/**
 * The upload endpoints that name an upload: only its owner may act on it. Derived from the
 * protocol table, so a new upload endpoint is covered (and needs a body here if it takes one).
 */
const UPLOAD_ROUTES = (Object.keys(endpoints) as EndpointName[]).filter((name) =>
  endpoints[name].path.startsWith('/v1/uploads/{uploadId}'),
);
const UPLOAD_BODIES: Partial<Record<EndpointName, unknown>> = {
  signUploadParts: { part_numbers: [1] },
  recordUploadPart: { etag: '"0123456789abcdef0123456789abcdef"', size: 10 },
};

describe("uploads are their owner's (resumable parts included)", () => {
  it('covers every upload route, the resumable ones too', () => {
    expect(UPLOAD_ROUTES).toEqual(
      expect.arrayContaining([
        'completeUpload',
        'getUpload',
        'deleteUpload',
        'signUploadParts',
        'listUploadParts',
        'recordUploadPart',
      ]),
    );
  });

  it("refuses another user of the app (404, as if absent) and the app's server token (403), and changes nothing", async () => {
    const t = await newTestApp();
    const [owner, other, boss] = await t.users('owner', 'other', 'boss');
    expect((await t.server.post('/v1/users', { users: [{ id: 'boss', role: 'admin' }] })).status).toBe(200);
    const slot = await owner!.post('/v1/uploads/resumable', {
      name: 'film.mp4',
      type: 'video/mp4',
      size: 20 * 1024 * 1024,
    });
    expect(slot.status, JSON.stringify(slot.body)).toBe(201);
    const id = slot.body.upload.id as string;
    const before = await owner!.get(`/v1/uploads/${id}/parts`);
    for (const name of UPLOAD_ROUTES) {
      const { method, path } = endpoints[name];
      const url = path.replace('{uploadId}', id).replace('{partNumber}', '1');
      // An app admin is no owner either: uploads are a user's own, like their devices.
      for (const api of [other!, boss!]) {
        expect(outcome(await api.request(method, url, UPLOAD_BODIES[name])), `${name} as another user`).toBe(
          '404 not_found',
        );
      }
      expect(outcome(await t.server.request(method, url, UPLOAD_BODIES[name])), `${name} as the server`).toBe(
        '403 forbidden',
      );
    }
    expect(await owner!.get(`/v1/uploads/${id}/parts`)).toMatchObject({ status: 200, body: before.body });
    expect((await owner!.get(`/v1/uploads/${id}`)).body.upload.state).toBe('pending');
  });
});

describe('typing and requireAccess (unit level)', () => {
  const user: Actor = { appId: 'app', userId: 'u', externalId: 'u', role: 'user', server: false };
  const appAdmin: Actor = { ...user, role: 'admin' };
  const server: Actor = { appId: 'app', userId: null, externalId: null, role: 'admin', server: true };
  const access = (type: ChannelType, standing: ChannelStanding, banned = false): ChannelAccess => ({
    channel: { type } as ChannelRow,
    createdBy: null,
    cid: `${type}:c`,
    membership: null,
    standing,
    banned,
  });
  const errorOf = (fn: () => void) => {
    try {
      fn();
      return 'ok';
    } catch (error) {
      expect(error).toBeInstanceOf(ChatError);
      return `${(error as ChatError).status} ${(error as ChatError).body.code}`;
    }
  };

  for (const type of TYPES) {
    it(`${type}: typing follows the table for every standing`, () => {
      for (const standing of STANDINGS) {
        expect(can(user, type, standing, 'typing')).toBe(allowedBy(type, standing, 'typing'));
        expect(errorOf(() => requireAccess(user, access(type, standing), 'typing'))).toBe(
          expectedOutcome(type, standing, 'typing'),
        );
        expect(can(appAdmin, type, standing, 'typing')).toBe(true);
        expect(can(server, type, standing, 'typing')).toBe(true);
      }
      // A banned member may not type, whatever their role; the server token is never banned.
      for (const standing of ['member', 'moderator', 'admin'] as const) {
        expect(errorOf(() => requireAccess(user, access(type, standing, true), 'typing'))).toBe(
          '403 user_banned',
        );
      }
      expect(errorOf(() => requireAccess(server, access(type, 'none', true), 'typing'))).toBe('ok');
    });
  }

  it('members need member standing to type; outsiders are refused with forbidden by authorize', () => {
    expect(() => authorize(user, 'livestream', 'none', 'typing')).toThrow(ChatError);
    expect(() => authorize(user, 'livestream', 'member', 'typing')).not.toThrow();
    expect(() => authorize(user, 'team', 'none', 'typing')).toThrow(/typing/);
  });

  it('requireAccess matches the table for every action: hidden → 404, otherwise forbidden', () => {
    for (const type of TYPES) {
      for (const standing of STANDINGS) {
        for (const action of ACTIONS) {
          expect(
            errorOf(() => requireAccess(user, access(type, standing), action)),
            `${type}/${standing}/${action}`,
          ).toBe(expectedOutcome(type, standing, action));
          expect(errorOf(() => requireAccess(appAdmin, access(type, standing), action))).toBe('ok');
          expect(errorOf(() => requireAccess(server, access(type, standing), action))).toBe('ok');
          // Banned: no power at all, for users and app admins alike; the server token is never banned.
          const bannedOutcome = allowedBy(type, standing, 'read') ? '403 user_banned' : '404 not_found';
          expect(errorOf(() => requireAccess(user, access(type, standing, true), action))).toBe(
            bannedOutcome,
          );
          expect(errorOf(() => requireAccess(appAdmin, access(type, standing, true), action))).toBe(
            '403 user_banned',
          );
          expect(errorOf(() => requireAccess(server, access(type, standing, true), action))).toBe('ok');
        }
      }
    }
  });
});

// Reports and the review queue: who reviews a channel's reported messages. A channel's
// moderators and admins (not banned there), app admins and the app's backend; nobody else.
describe('review queue × channel standing', () => {
  /** The author's message, reported by another member; the actor lists the queue and deletes it. */
  async function review(s: Scene) {
    const reporter = await s.t.user('rm-target');
    const reported = await reporter.post(`/v1/messages/${s.messageId}/report`, { reason: 'spam' });
    expect(reported.status, JSON.stringify(reported.body)).toBe(201);
    const item = (await s.t.server.get('/v1/moderation/queue')).body.items[0].id as string;
    const listed = await s.actor.get('/v1/moderation/queue');
    return {
      list: outcome(listed),
      seen: listed.body.items?.length ?? 0,
      act: outcome(await s.actor.post(`/v1/moderation/queue/${item}/actions`, { action: 'delete_message' })),
      audit: outcome(await s.actor.get('/v1/moderation/audit')),
    };
  }

  for (const type of TYPES) {
    for (const standing of STANDINGS) {
      it(`${type} × ${standing}: reviews the channel's items exactly when its moderator or admin`, async () => {
        const s = await scene(type, standing);
        const reviews = RANK[standing] >= RANK.moderator;
        expect(await review(s)).toEqual({
          list: reviews ? 'ok' : '403 forbidden',
          seen: reviews ? 1 : 0,
          act: !reviews
            ? '403 forbidden'
            : allowedBy(type, standing, 'delete_any_message')
              ? 'ok'
              : '403 forbidden',
          // The audit log is the app's, for app admins and the backend only.
          audit: '403 forbidden',
        });
      });
    }

    it(`${type}: app admins and the server token review every channel; a banned moderator nothing`, async () => {
      for (const kind of ['app-admin', 'server'] as const) {
        const s = await scene(type, 'none', kind);
        expect(await review(s)).toEqual({ list: 'ok', seen: 1, act: 'ok', audit: 'ok' });
      }
      const s = await scene(type, 'moderator');
      expect((await s.owner.post(`${s.path}/bans`, { user_id: 'actor' })).status).toBe(200);
      expect(await review(s)).toEqual({
        list: '403 forbidden',
        seen: 0,
        act: '403 forbidden',
        audit: '403 forbidden',
      });
    });
  }
});

describe('blocklists × channel standing', () => {
  /** The actor creates, reads and changes a list; then the owner's send is screened by it. */
  async function manage(s: Scene) {
    const created = await s.actor.post('/v1/blocklists', {
      name: 'Mine',
      kind: 'word',
      mode: 'block',
      entries: ['forbidden'],
    });
    const existing = await s.t.server.post('/v1/blocklists', { name: 'Theirs', kind: 'word', mode: 'flag' });
    const id = existing.body.blocklist.id as string;
    return {
      create: outcome(created),
      list: outcome(await s.actor.get('/v1/blocklists')),
      get: outcome(await s.actor.get(`/v1/blocklists/${id}`)),
      change: outcome(await s.actor.post(`/v1/blocklists/${id}/entries`, { add: ['other'] })),
      remove: outcome(await s.actor.delete(`/v1/blocklists/${id}`)),
      // Whoever made the list, it applies to everyone's sends, the channel admin's too.
      send: outcome(
        await s.owner.post(`${s.path}/messages`, { client_msg_id: clientId(), text: 'forbidden' }),
      ),
    };
  }

  for (const type of TYPES) {
    it(`${type}: channel standing gives no say over blocklists; app admins and the server manage them`, async () => {
      for (const standing of STANDINGS) {
        const s = await scene(type, standing);
        expect(await manage(s), standing).toEqual({
          create: '403 forbidden',
          list: '403 forbidden',
          get: '403 forbidden',
          change: '403 forbidden',
          remove: '403 forbidden',
          send: 'ok',
        });
      }
      for (const kind of ['app-admin', 'server'] as const) {
        const s = await scene(type, 'none', kind);
        expect(await manage(s), kind).toEqual({
          create: 'ok',
          list: 'ok',
          get: 'ok',
          change: 'ok',
          remove: 'ok',
          send: '422 message_blocked',
        });
      }
    });
  }
});
