import { generateKeyPairSync } from 'node:crypto';
import { type EndpointBody, type EndpointName, endpoints } from '@chat/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { createServerToken, createUserToken } from '../src/domain/auth/index';
import { type Api, clientId, getTestServer, newTestApp, type Reply, type TestApp } from './api';

/**
 * Tenancy: an application never sees, changes or even confirms the data of another one. App B
 * holds channels of every type with messages, threads, reactions, pins, drafts, reads, roles, mutes
 * and bans, a webhook endpoint with a delivery log and a before-send hook; app A then calls every
 * endpoint of the protocol table on B's ids, and B must not move.
 */

const B_PASSWORD = 'b-password-0123';
/** A word only B's messages contain: searching it from A must find nothing. */
const B_WORD = 'zebraquux';

interface AppB {
  t: TestApp;
  alice: Api;
  bob: Api;
  dave: Api;
  /** Top-level message of `messaging:b-dm` (reacted to, quoted, with a thread and a thread draft). */
  m1: string;
  /** A pinned message of `messaging:b-dm` with an attachment, quoting m1. */
  m2: string;
  /** Thread reply to m1. */
  reply: string;
  teamMessage: string;
  liveMessage: string;
  /** Refresh token of B's password account `pat-b`. */
  refreshToken: string;
  /** B's webhook endpoint (disabled, so the worker never writes to its log) and an entry of its log. */
  webhook: string;
  delivery: string;
  /** The signing secrets of B's endpoint and of B's before-send hook: A must never be shown them. */
  secrets: string[];
  /** B's alice's push device (its token, `DEVICE_TOKEN`, is registered in A too by a probe). */
  device: string;
  /** B's Web Push public key (its subject names B_WORD). */
  vapidKey: string;
  /** B's alice's upload (pending: no bytes sent, its name carries B_WORD). */
  upload: string;
  /** B's alice's resumable upload (pending, part 1 stored). */
  resumable: string;
  /** B's blocklist: its name and entry carry B_WORD. */
  blocklist: string;
  /** B's review item: alice of B reported bob's m2. */
  reviewItem: string;
}

interface AppA {
  t: TestApp;
  /** `alice` exists in A too: same external id, different user. */
  alice: Api;
  carol: Api;
  /** An app admin: may do everything to every channel of A. */
  root: Api;
  aMessage: string;
  /** A's own webhook endpoint, to name B's deliveries under. */
  webhook: string;
}

const B_CHANNELS = [
  { type: 'messaging', id: 'b-dm' },
  { type: 'team', id: 'b-team' },
  { type: 'livestream', id: 'b-live' },
] as const;
const B_CIDS = B_CHANNELS.map((c) => `${c.type}:${c.id}`);
/** Where webhooks point in this file: public, so accepted; nothing is ever delivered there. */
const HOOK_URL = 'https://hooks.example.com';
/** A service account for A's FCM (a real key: the server reads it). */
const A_SERVICE_ACCOUNT = {
  project_id: 'a-project',
  client_email: 'push@a-project.iam.gserviceaccount.com',
  private_key: generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString(),
};
/** A push token both apps' alices register: in each app it is that app's own. */
const DEVICE_TOKEN = 'fcm-token-of-a-shared-phone';

function ok<T>(reply: Reply<T>, what: string): T {
  if (reply.status < 200 || reply.status > 299) {
    throw new Error(`${what} failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  return reply.body;
}

async function setUpB(): Promise<AppB> {
  const t = await newTestApp({ allow_registration: true });
  ok(
    await t.server.post('/v1/users', {
      users: [
        { id: 'alice', name: 'Alice of B', custom: { app: 'B' } },
        { id: 'bob-b', name: 'Bob of B' },
        { id: 'dave-b', name: 'Dave of B' },
      ],
    }),
    'upsert B users',
  );
  const [alice, bob, dave] = await Promise.all(['alice', 'bob-b', 'dave-b'].map((id) => t.user(id)));
  const send = async (api: Api, path: string, body: Record<string, unknown>) =>
    ok(await api.post(`/v1/channels/${path}/messages`, { client_msg_id: clientId(), ...body }), 'send')
      .message.id as string;

  // messaging: a conversation between alice and bob, with a thread, reactions, a pin and a quote.
  ok(await alice!.post('/v1/channels', { type: 'messaging', id: 'b-dm', members: ['bob-b'] }), 'b-dm');
  const m1 = await send(alice!, 'messaging/b-dm', { text: `hello ${B_WORD} from alice of B` });
  const m2 = await send(bob!, 'messaging/b-dm', {
    text: `${B_WORD} reply with a picture`,
    quoted_message_id: m1,
    attachments: [{ type: 'image', url: 'https://example.com/b.png', width: 10, height: 10 }],
    mentioned_user_ids: ['alice'],
  });
  const reply = await send(bob!, 'messaging/b-dm', { text: `thread ${B_WORD}`, parent_id: m1 });
  ok(await bob!.post(`/v1/messages/${m1}/reactions`, { type: '👍' }), 'react');
  ok(await alice!.post(`/v1/messages/${m1}/reactions`, { type: '❤️' }), 'react');
  ok(await alice!.post(`/v1/messages/${m2}/pin`), 'pin');
  ok(await alice!.put('/v1/channels/messaging/b-dm/draft', { text: 'unsent by alice of B' }), 'draft');
  ok(
    await bob!.put('/v1/channels/messaging/b-dm/draft', { text: 'thread draft of bob', parent_id: m1 }),
    'thread draft',
  );
  ok(await bob!.post('/v1/channels/messaging/b-dm/read', { message_id: m1 }), 'read');

  // team: run by bob; alice moderates, dave muted it and is banned.
  ok(await bob!.post('/v1/channels', { type: 'team', id: 'b-team', members: ['alice', 'dave-b'] }), 'team');
  const teamMessage = await send(bob!, 'team/b-team', { text: `team news ${B_WORD}` });
  ok(await bob!.patch('/v1/channels/team/b-team/members/alice', { role: 'moderator' }), 'role');
  ok(await dave!.post('/v1/channels/team/b-team/mute'), 'mute');
  ok(await dave!.post('/v1/channels/team/b-team/read', {}), 'team read');
  ok(await bob!.post('/v1/channels/team/b-team/bans', { user_id: 'dave-b', timeout: 3600 }), 'ban');

  // livestream: anyone of B may watch; in A it must not even exist.
  ok(await bob!.post('/v1/channels', { type: 'livestream', id: 'b-live', name: 'B live' }), 'live');
  const liveMessage = await send(bob!, 'livestream/b-live', { text: `live ${B_WORD}` });
  ok(await bob!.post(`/v1/messages/${liveMessage}/reactions`, { type: '🔥' }), 'live react');

  // A password account, to check that A cannot log in, refresh or log out with B's credentials.
  const registered = ok(
    await t.anonymous.post('/v1/auth/register', { username: 'pat-b', password: B_PASSWORD }),
    'register pat-b',
  );

  // Webhooks, managed by B's backend: an endpoint (disabled, so that no delivery is logged for it
  // in the background), an entry of its log as the feed consumer writes one, and a before-send
  // hook (disabled, so B's sends never wait for it).
  const endpoint = ok(
    await t.server.post('/v1/webhooks', {
      name: `B hook ${B_WORD}`,
      url: `${HOOK_URL}/${B_WORD}`,
      events: ['message.new'],
      enabled: false,
    }),
    'B webhook',
  );
  const delivery = await (await getTestServer()).store.db
    .insertInto('webhook_deliveries')
    .values({
      app_id: t.app.id,
      webhook_id: endpoint.webhook.id,
      message_id: 'msg_0123456789abcdef0123456789abcdef',
      event_id: `b-dm:${B_WORD}`,
      event_type: 'message.new',
      body: JSON.stringify({ type: 'message.new', data: { message: { id: m1, text: B_WORD } } }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const device = ok(
    await alice!.post('/v1/devices', { provider: 'fcm', token: DEVICE_TOKEN, name: `Phone ${B_WORD}` }),
    'B device',
  );
  const webPush = ok(
    await t.server.put('/v1/push/web', { subject: `https://${B_WORD}.example.com` }),
    'B push',
  );
  const upload = ok(
    await alice!.post('/v1/uploads', { name: `Notes ${B_WORD}.txt`, type: 'text/plain', size: 12 }),
    'B upload',
  );
  // B's own upload policy: A reads and changes A's, never this one.
  ok(
    await t.server.put('/v1/upload-policy', {
      blocked_types: ['text/html', `application/x-${B_WORD}`],
      max_image_pixels: 1_234_567,
    }),
    'B upload policy',
  );
  const resumable = ok(
    await alice!.post('/v1/uploads/resumable', {
      name: `Film ${B_WORD}.mp4`,
      type: 'video/mp4',
      size: 20 * 1024 * 1024,
    }),
    'B resumable upload',
  );
  const [part] = ok(
    await alice!.post(`/v1/uploads/${resumable.upload.id}/parts`, { part_numbers: [1] }),
    'B part URL',
  ).parts;
  // A part holds exactly its share of the file; this one begins with B's word.
  const partBytes = Buffer.alloc(resumable.multipart.part_size, 0x20);
  partBytes.write(`first part ${B_WORD}`);
  const sent = await fetch(new URL(part.url, (await getTestServer()).url), {
    method: 'PUT',
    body: partBytes,
  });
  expect(sent.status, 'B part').toBe(200);
  const hook = ok(
    await t.server.put('/v1/hooks/before-send', {
      url: `${HOOK_URL}/${B_WORD}/before-send`,
      on_failure: 'reject',
      enabled: false,
    }),
    'B before-send hook',
  );
  // Reports and the review queue: alice of B reports bob's m2 and dave; bob's ban of
  // dave above is in B's audit log.
  ok(await alice!.post(`/v1/messages/${m2}/report`, { reason: 'spam', note: `note ${B_WORD}` }), 'B report');
  ok(await alice!.post('/v1/users/dave-b/report', { reason: 'harassment' }), 'B user report');
  const queue = ok(await t.server.get('/v1/moderation/queue?target_kind=message'), 'B queue');
  const reviewItem = queue.items[0].id as string;
  return {
    t,
    reviewItem,
    alice: alice!,
    bob: bob!,
    dave: dave!,
    m1,
    m2,
    reply,
    teamMessage,
    liveMessage,
    refreshToken: registered.refresh_token,
    webhook: endpoint.webhook.id,
    delivery: delivery.id,
    secrets: [endpoint.secret, hook.secret],
    device: device.device.id,
    vapidKey: webPush.web.vapid_public_key,
    upload: upload.upload.id,
    resumable: resumable.upload.id,
    blocklist: ok(
      await t.server.post('/v1/blocklists', {
        name: `B ${B_WORD}`,
        kind: 'word',
        mode: 'block',
        entries: [`never${B_WORD}`],
      }),
      'B blocklist',
    ).blocklist.id,
  };
}

async function setUpA(): Promise<AppA> {
  const t = await newTestApp();
  ok(
    await t.server.post('/v1/users', {
      users: [
        { id: 'alice', name: 'Alice of A', custom: { app: 'A' } },
        { id: 'carol-a', name: 'Carol of A' },
        { id: 'root-a', name: 'Root of A', role: 'admin' },
      ],
    }),
    'upsert A users',
  );
  const [alice, carol, root] = await Promise.all(['alice', 'carol-a', 'root-a'].map((id) => t.user(id)));
  ok(await alice!.post('/v1/channels', { type: 'messaging', id: 'a-room', members: ['carol-a'] }), 'a-room');
  const sent = ok(
    await carol!.post('/v1/channels/messaging/a-room/messages', {
      client_msg_id: clientId(),
      text: 'hello A',
    }),
    'send in A',
  );
  const webhook = ok(
    await t.server.post('/v1/webhooks', { name: 'A hook', url: `${HOOK_URL}/a`, enabled: false }),
    'A webhook',
  );
  return {
    t,
    alice: alice!,
    carol: carol!,
    root: root!,
    aMessage: sent.message.id,
    webhook: webhook.webhook.id,
  };
}

/** Everything of B that anyone could change, read with B's own credentials. */
async function snapshotB(b: AppB, extraChannels: { type: string; id: string }[] = []) {
  const get = async (api: Api, path: string) => {
    const reply = await api.get(path);
    return { status: reply.status, body: reply.body };
  };
  const channels: Record<string, unknown> = {};
  for (const { type, id } of [...B_CHANNELS, ...extraChannels]) {
    const base = `/v1/channels/${type}/${id}`;
    channels[`${type}:${id}`] = {
      asServer: await get(b.t.server, base),
      asBob: await get(b.bob, base),
      asAlice: await get(b.alice, base),
      messages: await get(b.t.server, `${base}/messages?limit=100`),
      members: await get(b.t.server, `${base}/members`),
      read: await get(b.t.server, `${base}/read`),
      drafts: {
        alice: await get(b.alice, `${base}/draft`),
        bob: await get(b.bob, `${base}/draft`),
      },
    };
  }
  return {
    channels,
    threadDraft: await get(b.bob, `/v1/channels/messaging/b-dm/draft?parent_id=${b.m1}`),
    replies: await get(b.t.server, `/v1/messages/${b.m1}/replies`),
    messages: {
      m1: await get(b.alice, `/v1/messages/${b.m1}`),
      m2: await get(b.bob, `/v1/messages/${b.m2}`),
      reply: await get(b.bob, `/v1/messages/${b.reply}`),
      team: await get(b.alice, `/v1/messages/${b.teamMessage}`),
      live: await get(b.bob, `/v1/messages/${b.liveMessage}`),
    },
    users: await get(b.t.server, '/v1/users?ids=alice,bob-b,dave-b,pat-b,carol-a,root-a'),
    me: { alice: await get(b.alice, '/v1/users/me'), bob: await get(b.bob, '/v1/users/me') },
    unread: {
      alice: await get(b.alice, '/v1/unread'),
      bob: await get(b.bob, '/v1/unread'),
      dave: await get(b.dave, '/v1/unread'),
    },
    search: await get(b.bob, `/v1/search?query=${B_WORD}&limit=100`),
    channelList: (await b.t.server.post('/v1/channels/query', { limit: 100 })).body,
    // A rotated secret shows as a new `updated_at`; a replay as a new entry of the log.
    webhooks: {
      list: await get(b.t.server, '/v1/webhooks'),
      endpoint: await get(b.t.server, `/v1/webhooks/${b.webhook}`),
      deliveries: await get(b.t.server, `/v1/webhooks/${b.webhook}/deliveries?limit=100`),
      beforeSend: await get(b.t.server, '/v1/hooks/before-send'),
    },
    devices: await get(b.alice, '/v1/devices'),
    upload: await get(b.alice, `/v1/uploads/${b.upload}`),
    resumable: await get(b.alice, `/v1/uploads/${b.resumable}`),
    resumableParts: await get(b.alice, `/v1/uploads/${b.resumable}/parts`),
    push: await get(b.t.server, '/v1/push/config'),
    uploadPolicy: await get(b.t.server, '/v1/upload-policy'),
    blocklists: {
      list: await get(b.t.server, '/v1/blocklists'),
      one: await get(b.t.server, `/v1/blocklists/${b.blocklist}`),
    },
    moderation: {
      queue: await get(b.t.server, '/v1/moderation/queue?limit=100'),
      item: await get(b.t.server, `/v1/moderation/queue/${b.reviewItem}`),
      audit: await get(b.t.server, '/v1/moderation/audit?limit=100'),
    },
  };
}

type Actor = 'anonymous' | 'alice' | 'root' | 'server';
interface Probe {
  name: EndpointName;
  actor: Actor;
  path: string;
  body?: unknown;
  /** Returns what is wrong with the reply, or nothing. */
  check: (reply: Reply) => string | undefined;
}

const fill = (path: string, params: Record<string, string>) =>
  path.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined) throw new Error(`no value for {${key}} in ${path}`);
    return encodeURIComponent(value);
  });

function isError(reply: Reply, status: number, code?: string): string | undefined {
  const error = reply.body?.error;
  if (reply.status !== status || (code && error?.code !== code)) {
    return `expected ${status}${code ? ` ${code}` : ''}, got ${reply.status} ${JSON.stringify(reply.body)}`;
  }
  if (
    error?.status !== status ||
    typeof error?.message !== 'string' ||
    typeof error?.retryable !== 'boolean'
  ) {
    return `malformed error body ${JSON.stringify(reply.body)}`;
  }
  return undefined;
}
const expectError =
  (status: number, code?: string) =>
  (reply: Reply): string | undefined =>
    isError(reply, status, code);

/** A 2xx answer that must not contain anything of B. */
const expectCleanSuccess =
  (leaks: string[], extra?: (reply: Reply) => string | undefined) =>
  (reply: Reply): string | undefined => {
    if (reply.status < 200 || reply.status > 299)
      return `expected 2xx, got ${reply.status} ${JSON.stringify(reply.body)}`;
    const text = JSON.stringify(reply.body);
    const leaked = leaks.filter((leak) => text.includes(leak));
    if (leaked.length) return `leaks ${leaked.join(', ')}: ${text}`;
    return extra?.(reply);
  };

/** Endpoints that refuse server tokens before looking anything up: what they own belongs to a user. */
const USER_ONLY: ReadonlySet<EndpointName> = new Set([
  'markRead',
  'saveDraft',
  'getDraft',
  'deleteDraft',
  'addReaction',
  'removeReaction',
  'registerDevice',
  'listDevices',
  'deleteDevice',
  'createUpload',
  'completeUpload',
  'getUpload',
  'deleteUpload',
  'createResumableUpload',
  'signUploadParts',
  'listUploadParts',
  'recordUploadPart',
  'listMutedUsers',
  'muteUser',
  'unmuteUser',
  'reportMessage', // a report is a user's
  'reportUser',
  // Blocks are a user's.
  'listBlockedUsers',
  'blockUser',
  'unblockUser',
]);

/**
 * How a probe of A's credentials on B's data is refused: 403 when the token cannot call the
 * endpoint at all (a server token on a user's own things, a user's token, even an app admin's, on
 * the backend's), before anything is looked up; otherwise as `status` says.
 */
const refusedAs = (name: EndpointName, actor: Actor, status: 400 | 404) =>
  (actor === 'server' && USER_ONLY.has(name)) || (actor !== 'server' && endpoints[name].auth === 'server')
    ? expectError(403, 'forbidden')
    : expectError(status, status === 400 ? 'validation_failed' : 'not_found');

describe('tenancy: application A against application B', () => {
  let a: AppA;
  let b: AppB;
  beforeAll(async () => {
    b = await setUpB();
    a = await setUpA();
  }, 60_000);

  const clientOf = (actor: Actor): Api =>
    actor === 'anonymous' ? a.t.anonymous : actor === 'server' ? a.t.server : a[actor];

  /** Strings that identify B's data: none may ever appear in an answer to A. */
  const leaks = () => [
    ...B_CIDS,
    b.m1,
    b.m2,
    b.reply,
    b.teamMessage,
    b.liveMessage,
    b.webhook,
    b.delivery,
    b.device,
    b.vapidKey,
    b.upload,
    b.resumable,
    b.blocklist,
    b.reviewItem,
    ...b.secrets,
    'bob-b',
    'dave-b',
    'pat-b',
    'Alice of B',
    B_WORD,
  ];

  /**
   * The probes of every endpoint. Typed as a total record, so a new endpoint in the protocol table
   * does not compile until it says how app A tries it on app B's data.
   */
  function probesFor(): { [N in EndpointName]: () => Probe[] } {
    const userActors: Actor[] = ['alice', 'root'];
    const actors: Actor[] = [...userActors, 'server'];
    const onB = (
      name: EndpointName,
      bodies: (actor: Actor) => unknown[] = () => [undefined],
      queries: string[] = [''],
      targets?: Record<string, string>[],
    ): Probe[] => {
      const path = endpoints[name].path;
      const placeholders = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      let all: Record<string, string>[] = [{}];
      if (targets) all = targets;
      else if (path.startsWith('/v1/channels/{type}/{id}')) {
        all = B_CHANNELS.map((c) => ({ ...c }));
        if (placeholders.includes('userId')) {
          all = all.flatMap((c) => ['bob-b', 'alice'].map((userId) => ({ ...c, userId })));
        }
      } else if (path.startsWith('/v1/messages/{id}')) {
        all = [b.m1, b.m2, b.reply, b.teamMessage, b.liveMessage].map((id) => ({ id }));
        if (placeholders.includes('reaction')) {
          all = all.flatMap((p) => ['👍', '❤️', '🔥'].map((reaction) => ({ ...p, reaction })));
        }
      }
      return actors.flatMap((actor) =>
        all.flatMap((params) =>
          queries.flatMap((query) =>
            bodies(actor).map((body) => ({
              name,
              actor,
              path: fill(path, params) + query,
              body,
              check: refusedAs(name, actor, 404),
            })),
          ),
        ),
      );
    };
    /** Probes on A's own resources that name B's messages or users: 400 or 404, never 2xx. */
    const onA = (
      name: EndpointName,
      params: Record<string, string>,
      query: string,
      body: unknown,
      status: 400 | 404,
      who: Actor[] = actors,
    ): Probe[] =>
      who.map((actor) => ({
        name,
        actor,
        path: fill(endpoints[name].path, params) + query,
        body,
        check: refusedAs(name, actor, status),
      }));
    const aRoom = { type: 'messaging', id: 'a-room' };
    const as = <N extends EndpointName>(body: EndpointBody<N>) => body;
    const asServer = (actor: Actor, extra: Record<string, unknown>) => (actor === 'server' ? extra : {});
    /**
     * An endpoint of the app's backend called on A's own side (no id of B to name): A's server
     * token gets A's answer, clean of B, `extra` says what else must hold; user tokens get 403.
     */
    const asBackend = (
      name: EndpointName,
      body: unknown,
      extra?: (reply: Reply) => string | undefined,
    ): Probe[] =>
      actors.map((actor) => ({
        name,
        actor,
        path: endpoints[name].path,
        body,
        check: actor === 'server' ? expectCleanSuccess(leaks(), extra) : expectError(403, 'forbidden'),
      }));
    const onBHook = { webhookId: b.webhook };
    // Blocklists: `alice` is no admin of A (403 before any lookup); `root` is.
    const asManager = (name: EndpointName, body: (actor: Actor) => unknown): Probe[] =>
      actors.map((actor) => ({
        name,
        actor,
        path: endpoints[name].path,
        body: body(actor),
        check: actor === 'alice' ? expectError(403, 'forbidden') : expectCleanSuccess(leaks()),
      }));
    const onBBlocklist = (name: EndpointName, body: unknown): Probe[] =>
      actors.map((actor) => ({
        name,
        actor,
        path: fill(endpoints[name].path, { blocklistId: b.blocklist }),
        body,
        check: actor === 'alice' ? expectError(403, 'forbidden') : expectError(404, 'not_found'),
      }));
    // User safety: app-wide moderation of B's users. `alice` is no admin of A (403
    // before any lookup); `root` and the backend find no such user in A (404).
    const onBUserAsModerator = (name: EndpointName, body?: unknown, query = ''): Probe[] =>
      actors.flatMap((actor) =>
        ['bob-b', 'pat-b'].map((userId) => ({
          name,
          actor,
          path: fill(endpoints[name].path, { userId }) + query,
          body,
          check: actor === 'alice' ? expectError(403, 'forbidden') : expectError(404, 'not_found'),
        })),
      );
    const onBResumable = { uploadId: b.resumable };
    const since = '2020-01-01T00:00:00.000Z';

    return {
      // Public endpoints: B's password account and refresh token mean nothing to A.
      register: () => [
        {
          name: 'register',
          actor: 'anonymous',
          path: endpoints.register.path,
          body: as<'register'>({ username: 'pat-b', password: B_PASSWORD }),
          check: expectError(403, 'registration_closed'),
        },
      ],
      login: () => [
        {
          name: 'login',
          actor: 'anonymous',
          path: endpoints.login.path,
          body: as<'login'>({ username: 'pat-b', password: B_PASSWORD }),
          check: expectError(401, 'invalid_credentials'),
        },
      ],
      refresh: () => [
        {
          name: 'refresh',
          actor: 'anonymous',
          path: endpoints.refresh.path,
          body: as<'refresh'>({ refresh_token: b.refreshToken }),
          // Not refresh_token_reused: A must not even find B's token (and so not revoke its family).
          check: expectError(401, 'unauthenticated'),
        },
      ],
      logout: () => [
        {
          name: 'logout',
          actor: 'anonymous',
          path: endpoints.logout.path,
          body: as<'logout'>({ refresh_token: b.refreshToken }),
          // Logout never says whether a token exists; B's session must survive it (checked below).
          check: expectCleanSuccess(leaks()),
        },
      ],

      getMe: () => [
        ...userActors.map(
          (actor): Probe => ({
            name: 'getMe',
            actor,
            path: endpoints.getMe.path,
            check: expectCleanSuccess(leaks()),
          }),
        ),
        { name: 'getMe', actor: 'server', path: endpoints.getMe.path, check: expectError(403, 'forbidden') },
      ],
      updateMe: () => [
        ...userActors.map(
          (actor): Probe => ({
            name: 'updateMe',
            actor,
            path: endpoints.updateMe.path,
            body: as<'updateMe'>({ custom: { probed: true } }),
            check: expectCleanSuccess(leaks()),
          }),
        ),
        {
          name: 'updateMe',
          actor: 'server',
          path: endpoints.updateMe.path,
          body: as<'updateMe'>({ name: 'x' }),
          check: expectError(403, 'forbidden'),
        },
      ],
      queryUsers: () =>
        actors.flatMap((actor) =>
          ['?ids=bob-b,dave-b,pat-b', '?q=bob', '?q=Dave', '?ids=alice'].map(
            (query): Probe => ({
              name: 'queryUsers',
              actor,
              path: endpoints.queryUsers.path + query,
              check: expectCleanSuccess(leaks(), (reply) =>
                query === '?ids=alice'
                  ? reply.body.users.length === 1 && reply.body.users[0].name === 'Alice of A'
                    ? undefined
                    : `expected A's alice only: ${JSON.stringify(reply.body)}`
                  : reply.body.users.length === 0
                    ? undefined
                    : `expected no users: ${JSON.stringify(reply.body)}`,
              ),
            }),
          ),
        ),
      getUser: () => [
        ...onB('getUser', undefined, [''], [{ userId: 'bob-b' }, { userId: 'dave-b' }, { userId: 'pat-b' }]),
        ...actors.map(
          (actor): Probe => ({
            name: 'getUser',
            actor,
            path: fill(endpoints.getUser.path, { userId: 'alice' }),
            check: expectCleanSuccess(leaks(), (reply) =>
              reply.body.user.name === 'Alice of A'
                ? undefined
                : `not A's alice: ${JSON.stringify(reply.body)}`,
            ),
          }),
        ),
      ],
      upsertUsers: () => [
        ...userActors.map(
          (actor): Probe => ({
            name: 'upsertUsers',
            actor,
            path: endpoints.upsertUsers.path,
            body: as<'upsertUsers'>({ users: [{ id: 'alice', name: 'Mallory' }] }),
            check: expectError(403, 'forbidden'),
          }),
        ),
        {
          // Same external id as B's alice: updates A's alice only.
          name: 'upsertUsers',
          actor: 'server',
          path: endpoints.upsertUsers.path,
          body: as<'upsertUsers'>({ users: [{ id: 'alice', name: 'Alice of A', custom: { app: 'A' } }] }),
          check: expectCleanSuccess(leaks()),
        },
      ],

      createChannel: () =>
        actors.flatMap((actor) =>
          [
            { type: 'messaging', id: 'b-dm', members: ['bob-b'] },
            { type: 'team', id: 'b-team', members: ['alice', 'dave-b'] },
            { type: 'messaging', members: ['alice', 'bob-b'] },
            { type: 'livestream', id: 'b-live', members: ['pat-b'] },
          ].map(
            (body): Probe => ({
              name: 'createChannel',
              actor,
              path: endpoints.createChannel.path,
              body: { ...body, ...asServer(actor, { created_by_id: 'alice' }) },
              // B's users are unknown in A: the members cannot even be looked up.
              check: expectError(400, 'validation_failed'),
            }),
          ),
        ),
      queryChannels: () =>
        actors.flatMap((actor) =>
          [
            as<'queryChannels'>({ limit: 100 }),
            as<'queryChannels'>({ filter: { members: ['bob-b'] } }),
            as<'queryChannels'>({ filter: { type: ['team', 'livestream'] } }),
            // The browse list: B's livestream is public in B, and nothing at all in A.
            as<'queryChannels'>({ filter: { joinable: true } }),
            as<'queryChannels'>({ filter: { joinable: true, type: 'livestream', members: ['bob-b'] } }),
          ].map(
            (body): Probe => ({
              name: 'queryChannels',
              actor,
              path: endpoints.queryChannels.path,
              body,
              check: expectCleanSuccess(leaks()),
            }),
          ),
        ),
      getChannel: () => onB('getChannel'),
      updateChannel: () =>
        onB('updateChannel', () => [as<'updateChannel'>({ name: 'taken over', custom: { by: 'A' } })]),
      deleteChannel: () => onB('deleteChannel'),
      freezeChannel: () => onB('freezeChannel'),
      unfreezeChannel: () => onB('unfreezeChannel'),
      truncateChannel: () => onB('truncateChannel'),
      // Channel moderation: slow mode and the pinned list.
      setSlowMode: () => onB('setSlowMode', () => [as<'setSlowMode'>({ slow_mode_s: 60 })]),
      listPinnedMessages: () => onB('listPinnedMessages', undefined, ['', '?limit=100']),

      listMembers: () => onB('listMembers'),
      addMembers: () => [
        ...onB('addMembers', () => [as<'addMembers'>({ user_ids: ['alice'] }), { user_ids: ['carol-a'] }]),
        ...onA('addMembers', aRoom, '', { user_ids: ['bob-b'] }, 400),
      ],
      removeMembers: () => [
        ...onB('removeMembers', () => [
          as<'removeMembers'>({ user_ids: ['alice'] }),
          { user_ids: ['bob-b'] },
        ]),
        ...onA('removeMembers', aRoom, '', { user_ids: ['bob-b'] }, 400),
      ],
      setMemberRole: () => [
        ...onB('setMemberRole', () => [as<'setMemberRole'>({ role: 'admin' })]),
        ...onA('setMemberRole', { ...aRoom, userId: 'bob-b' }, '', { role: 'moderator' }, 404, [
          'root',
          'server',
        ]),
      ],
      muteChannel: () => onB('muteChannel'),
      unmuteChannel: () => onB('unmuteChannel'),
      banMember: () => [
        ...onB('banMember', () => [as<'banMember'>({ user_id: 'bob-b' }), { user_id: 'alice', timeout: 60 }]),
        ...onA('banMember', aRoom, '', { user_id: 'bob-b' }, 404),
      ],
      unbanMember: () => [
        ...onB('unbanMember'),
        ...onA('unbanMember', { ...aRoom, userId: 'dave-b' }, '', undefined, 404),
      ],

      sendMessage: () => [
        ...onB('sendMessage', (actor) => [
          { client_msg_id: clientId(), text: 'intruder', ...asServer(actor, { user_id: 'alice' }) },
        ]),
        ...actors.flatMap((actor) => [
          ...onA(
            'sendMessage',
            aRoom,
            '',
            {
              client_msg_id: clientId(),
              text: 'x',
              parent_id: b.m1,
              ...asServer(actor, { user_id: 'alice' }),
            },
            400,
            [actor],
          ),
          ...onA(
            'sendMessage',
            aRoom,
            '',
            {
              client_msg_id: clientId(),
              text: 'x',
              quoted_message_id: b.m2,
              ...asServer(actor, { user_id: 'alice' }),
            },
            400,
            [actor],
          ),
          ...onA(
            'sendMessage',
            aRoom,
            '',
            {
              client_msg_id: clientId(),
              text: 'x',
              mentioned_user_ids: ['bob-b'],
              ...asServer(actor, { user_id: 'alice' }),
            },
            400,
            [actor],
          ),
        ]),
        // Sending as B's user through A's server token: the sender cannot be looked up.
        ...onA('sendMessage', aRoom, '', { client_msg_id: clientId(), text: 'x', user_id: 'bob-b' }, 400, [
          'server',
        ]),
      ],
      listMessages: () => [
        ...onB('listMessages', undefined, ['', `?before=${b.m2}`, `?after=${b.m1}`, `?around=${b.m1}`]),
        ...onA('listMessages', aRoom, `?before=${b.m2}`, undefined, 400),
        ...onA('listMessages', aRoom, `?after=${b.m1}`, undefined, 400),
        // A page around B's message: the target must be on the page, so it is unknown (404).
        ...onA('listMessages', aRoom, `?around=${b.m1}`, undefined, 404),
        ...onA('listMessages', aRoom, `?around=${b.liveMessage}`, undefined, 404),
      ],
      getMessage: () => onB('getMessage'),
      updateMessage: () => onB('updateMessage', () => [as<'updateMessage'>({ text: 'rewritten by A' })]),
      deleteMessage: () => onB('deleteMessage'),
      pinMessage: () => onB('pinMessage'),
      unpinMessage: () => onB('unpinMessage'),
      listReplies: () => [
        ...onB('listReplies', undefined, ['', `?after=${b.reply}`, `?around=${b.reply}`]),
        ...onA('listReplies', { id: a.aMessage }, `?around=${b.reply}`, undefined, 404),
      ],
      listReactions: () =>
        onB('listReactions', undefined, ['', `?type=${encodeURIComponent('👍')}`, '?limit=100']),
      addReaction: () => onB('addReaction', () => [as<'addReaction'>({ type: '👍' })]),
      removeReaction: () => onB('removeReaction'),
      removeLinkPreview: () =>
        onB('removeLinkPreview', undefined, [`?url=${encodeURIComponent('https://example.com/b')}`]),

      markRead: () => [
        ...onB('markRead', () => [as<'markRead'>({}), { message_id: b.m2 }]),
        // Not root: an app admin who is no member has no read state (404 Member) to set.
        ...onA('markRead', aRoom, '', { message_id: b.m1 }, 400, ['alice', 'server']),
      ],
      getReadState: () => onB('getReadState'),
      getUnread: () => [
        ...userActors.map(
          (actor): Probe => ({
            name: 'getUnread',
            actor,
            path: endpoints.getUnread.path,
            check: expectCleanSuccess(leaks()),
          }),
        ),
        {
          name: 'getUnread',
          actor: 'server',
          path: endpoints.getUnread.path,
          check: expectError(403, 'forbidden'),
        },
      ],

      saveDraft: () => [
        ...onB('saveDraft', () => [
          as<'saveDraft'>({ text: 'planted by A' }),
          { text: 'planted', parent_id: b.m1 },
        ]),
        ...onA('saveDraft', aRoom, '', { text: 'x', parent_id: b.m1 }, 400),
      ],
      getDraft: () => [
        ...onB('getDraft', undefined, ['', `?parent_id=${b.m1}`]),
        ...onA('getDraft', aRoom, `?parent_id=${b.m1}`, undefined, 400),
      ],
      deleteDraft: () => [
        ...onB('deleteDraft', undefined, ['', `?parent_id=${b.m1}`]),
        ...onA('deleteDraft', aRoom, `?parent_id=${b.m1}`, undefined, 400),
      ],

      // Webhooks: only the app's backend manages them; B's endpoint, log and hook are not A's.
      createWebhook: () =>
        asBackend(
          'createWebhook',
          as<'createWebhook'>({ name: 'A probe', url: `${HOOK_URL}/a-probe`, enabled: false }),
        ),
      listWebhooks: () =>
        asBackend('listWebhooks', undefined, (reply) =>
          reply.body.webhooks.some((hook: { id: string }) => hook.id === a.webhook)
            ? undefined
            : `A's own endpoint is missing: ${JSON.stringify(reply.body)}`,
        ),
      getWebhook: () => onB('getWebhook', undefined, [''], [onBHook]),
      updateWebhook: () =>
        onB(
          'updateWebhook',
          () => [
            as<'updateWebhook'>({ enabled: true }),
            { name: 'taken over', url: `${HOOK_URL}/taken-over`, events: [] },
          ],
          [''],
          [onBHook],
        ),
      deleteWebhook: () => onB('deleteWebhook', undefined, [''], [onBHook]),
      rotateWebhookSecret: () =>
        onB(
          'rotateWebhookSecret',
          () => [as<'rotateWebhookSecret'>({}), { previous_secret_ttl_s: 0 }],
          [''],
          [onBHook],
        ),
      listWebhookDeliveries: () => [
        ...onB(
          'listWebhookDeliveries',
          undefined,
          ['', '?state=pending', `?before=${b.delivery}`],
          [onBHook],
        ),
        // B's log entry under A's own endpoint: no such entry.
        ...onA('listWebhookDeliveries', { webhookId: a.webhook }, `?before=${b.delivery}`, undefined, 404),
      ],
      replayWebhookDelivery: () => [
        ...onB('replayWebhookDelivery', undefined, [''], [{ ...onBHook, deliveryId: b.delivery }]),
        ...onA('replayWebhookDelivery', { webhookId: a.webhook, deliveryId: b.delivery }, '', undefined, 404),
      ],
      replayWebhookEvents: () =>
        onB('replayWebhookEvents', () => [as<'replayWebhookEvents'>({ since })], [''], [onBHook]),
      getBeforeSendHook: () =>
        asBackend('getBeforeSendHook', undefined, (reply) =>
          reply.body.hook === null ? undefined : `A has no hook: ${JSON.stringify(reply.body)}`,
        ),
      // A's own hook: B's is not replaced, and its secret is not handed over as "the one it had".
      setBeforeSendHook: () =>
        asBackend(
          'setBeforeSendHook',
          as<'setBeforeSendHook'>({ url: `${HOOK_URL}/a-before-send`, enabled: false }),
        ),
      deleteBeforeSendHook: () => asBackend('deleteBeforeSendHook', undefined),

      // Blocklists: app admins and the server; A's plain user is refused before any
      // lookup, A's admin and server token get A's own (empty) lists and 404 for B's.
      listBlocklists: () => asManager('listBlocklists', () => undefined),
      createBlocklist: () =>
        asManager('createBlocklist', (actor) =>
          as<'createBlocklist'>({
            name: `A list of ${actor}`,
            kind: 'word',
            mode: 'flag',
            entries: ['alpha'],
          }),
        ),
      getBlocklist: () => onBBlocklist('getBlocklist', undefined),
      updateBlocklist: () =>
        onBBlocklist('updateBlocklist', as<'updateBlocklist'>({ mode: 'flag', entries: [] })),
      deleteBlocklist: () => onBBlocklist('deleteBlocklist', undefined),
      changeBlocklistEntries: () =>
        onBBlocklist('changeBlocklistEntries', as<'changeBlocklistEntries'>({ remove: [B_WORD] })),

      // Devices are their user's: B's token registered in A is A's own (B's device stays B's).
      registerDevice: () => [
        ...userActors.map(
          (actor): Probe => ({
            name: 'registerDevice',
            actor,
            path: endpoints.registerDevice.path,
            body: as<'registerDevice'>({ provider: 'fcm', token: DEVICE_TOKEN, name: `A ${actor}` }),
            check: expectCleanSuccess(leaks()),
          }),
        ),
        {
          name: 'registerDevice',
          actor: 'server',
          path: endpoints.registerDevice.path,
          body: as<'registerDevice'>({ provider: 'fcm', token: DEVICE_TOKEN }),
          check: expectError(403, 'forbidden'),
        },
      ],
      listDevices: () => [
        ...userActors.map(
          (actor): Probe => ({
            name: 'listDevices',
            actor,
            path: endpoints.listDevices.path,
            check: expectCleanSuccess(leaks()),
          }),
        ),
        {
          name: 'listDevices',
          actor: 'server',
          path: endpoints.listDevices.path,
          check: expectError(403, 'forbidden'),
        },
      ],
      deleteDevice: () => onB('deleteDevice', undefined, [''], [{ deviceId: b.device }]),
      // Uploads are their user's: A's users start their own, and never reach B's.
      createUpload: () => [
        ...userActors.map(
          (actor): Probe => ({
            name: 'createUpload',
            actor,
            path: endpoints.createUpload.path,
            body: as<'createUpload'>({ name: `A ${actor}.txt`, type: 'text/plain', size: 3 }),
            check: expectCleanSuccess(leaks()),
          }),
        ),
        {
          name: 'createUpload',
          actor: 'server',
          path: endpoints.createUpload.path,
          body: as<'createUpload'>({ name: 'server.txt', type: 'text/plain', size: 3 }),
          check: expectError(403, 'forbidden'),
        },
      ],
      completeUpload: () => onB('completeUpload', undefined, [''], [{ uploadId: b.upload }, onBResumable]),
      getUpload: () => onB('getUpload', undefined, [''], [{ uploadId: b.upload }, onBResumable]),
      deleteUpload: () => onB('deleteUpload', undefined, [''], [{ uploadId: b.upload }, onBResumable]),
      // A resumable upload's parts are its user's too: B's are neither listed, signed nor recorded.
      createResumableUpload: () => [
        ...userActors.map(
          (actor): Probe => ({
            name: 'createResumableUpload',
            actor,
            path: endpoints.createResumableUpload.path,
            body: as<'createResumableUpload'>({ name: `A ${actor}.mp4`, type: 'video/mp4', size: 9_000_000 }),
            check: expectCleanSuccess(leaks()),
          }),
        ),
        {
          name: 'createResumableUpload',
          actor: 'server',
          path: endpoints.createResumableUpload.path,
          body: as<'createResumableUpload'>({ name: 'server.mp4', type: 'video/mp4', size: 9_000_000 }),
          check: expectError(403, 'forbidden'),
        },
      ],
      signUploadParts: () =>
        onB(
          'signUploadParts',
          () => [as<'signUploadParts'>({ part_numbers: [1, 2] })],
          [''],
          [onBResumable, { uploadId: b.upload }],
        ),
      listUploadParts: () => onB('listUploadParts', undefined, [''], [onBResumable, { uploadId: b.upload }]),
      recordUploadPart: () =>
        onB(
          'recordUploadPart',
          () => [as<'recordUploadPart'>({ etag: '"0123456789abcdef0123456789abcdef"', size: 10 })],
          [''],
          [
            { ...onBResumable, partNumber: '1' },
            { ...onBResumable, partNumber: '2' },
          ],
        ),
      // Preferences are the caller's: B's channels are not A's members' to set.
      getPushPreferences: () =>
        userActors.map(
          (actor): Probe => ({
            name: 'getPushPreferences',
            actor,
            path: endpoints.getPushPreferences.path,
            check: expectCleanSuccess(leaks()),
          }),
        ),
      setPushPreferences: () =>
        userActors.flatMap((actor) =>
          B_CIDS.map(
            (cid): Probe => ({
              name: 'setPushPreferences',
              actor,
              path: endpoints.setPushPreferences.path,
              body: as<'setPushPreferences'>({ level: 'none', channels: [{ cid, level: 'all' }] }),
              check: expectError(404, 'not_found'),
            }),
          ),
        ),
      // Push settings: A reads and changes its own; B's key never shows, B's stay as they were.
      getPushConfig: () =>
        actors.map(
          (actor): Probe => ({
            name: 'getPushConfig',
            actor,
            path: endpoints.getPushConfig.path,
            check: expectCleanSuccess(leaks()),
          }),
        ),
      setWebPush: () => asBackend('setWebPush', as<'setWebPush'>({ subject: 'mailto:a@example.com' })),
      deleteWebPush: () => asBackend('deleteWebPush', undefined),
      // A's own service account: B's stays B's (its settings are in B's snapshot).
      setFcmPush: () =>
        asBackend('setFcmPush', as<'setFcmPush'>({ service_account: { ...A_SERVICE_ACCOUNT } })),
      deleteFcmPush: () => asBackend('deleteFcmPush', undefined),
      setApnsPush: () =>
        asBackend(
          'setApnsPush',
          as<'setApnsPush'>({
            key: generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
              .privateKey.export({ type: 'pkcs8', format: 'pem' })
              .toString(),
            key_id: 'AKEY000001',
            team_id: 'ATEAM00001',
            bundle_id: 'com.a.chat',
          }),
        ),
      deleteApnsPush: () => asBackend('deleteApnsPush', undefined),
      getPushSettings: () => asBackend('getPushSettings', undefined),
      setPushSettings: () =>
        asBackend('setPushSettings', as<'setPushSettings'>({ title_template: 'A: {{sender}}' })),
      getPushStats: () => asBackend('getPushStats', undefined),
      // A's upload policy is A's: B's blocked type and pixel limit never show, and stay B's.
      getUploadPolicy: () =>
        asBackend('getUploadPolicy', undefined, (reply) =>
          reply.body.policy.max_image_pixels === 1_234_567
            ? `B's policy: ${JSON.stringify(reply.body)}`
            : undefined,
        ),
      setUploadPolicy: () =>
        asBackend(
          'setUploadPolicy',
          as<'setUploadPolicy'>({ max_image_pixels: 7_654_321, uploads_per_minute: 7 }),
        ),
      // Mutes are the caller's, of users of their own app: B's users are not there to mute.
      listMutedUsers: () => [
        ...userActors.map(
          (actor): Probe => ({
            name: 'listMutedUsers',
            actor,
            path: endpoints.listMutedUsers.path,
            check: expectCleanSuccess(leaks()),
          }),
        ),
        {
          name: 'listMutedUsers',
          actor: 'server',
          path: endpoints.listMutedUsers.path,
          check: expectError(403, 'forbidden'),
        },
      ],
      muteUser: () => onB('muteUser', undefined, [''], [{ userId: 'bob-b' }, { userId: 'pat-b' }]),
      unmuteUser: () => onB('unmuteUser', undefined, [''], [{ userId: 'bob-b' }, { userId: 'pat-b' }]),
      // User safety: blocks are the caller's, of users of their own app; bans,
      // shadow bans and timeouts reach no user of B.
      listBlockedUsers: () => [
        ...userActors.map(
          (actor): Probe => ({
            name: 'listBlockedUsers',
            actor,
            path: endpoints.listBlockedUsers.path,
            check: expectCleanSuccess(leaks()),
          }),
        ),
        {
          name: 'listBlockedUsers',
          actor: 'server',
          path: endpoints.listBlockedUsers.path,
          check: expectError(403, 'forbidden'),
        },
      ],
      blockUser: () => onB('blockUser', undefined, [''], [{ userId: 'bob-b' }, { userId: 'pat-b' }]),
      unblockUser: () => onB('unblockUser', undefined, [''], [{ userId: 'bob-b' }, { userId: 'pat-b' }]),
      getUserStanding: () => onBUserAsModerator('getUserStanding'),
      banUserFromApp: () => [
        ...onBUserAsModerator('banUserFromApp', as<'banUserFromApp'>({ reason: 'spam' })),
        ...onBUserAsModerator('banUserFromApp', as<'banUserFromApp'>({ shadow: true })),
      ],
      unbanUserFromApp: () => [
        ...onBUserAsModerator('unbanUserFromApp'),
        ...onBUserAsModerator('unbanUserFromApp', undefined, '?shadow=true'),
      ],
      timeOutUser: () => onBUserAsModerator('timeOutUser', as<'timeOutUser'>({ timeout: 600 })),
      endUserTimeout: () => onBUserAsModerator('endUserTimeout'),

      // Reports, the review queue and the audit log. A's alice created a-room, so she
      // reviews its items: every actor of A reaches the queue, and finds nothing of B in it.
      reportMessage: () => onB('reportMessage', () => [as<'reportMessage'>({ reason: 'spam' })]),
      reportUser: () =>
        onB(
          'reportUser',
          () => [as<'reportUser'>({ reason: 'spam' })],
          [''],
          [{ userId: 'bob-b' }, { userId: 'pat-b' }],
        ),
      listReviewItems: () =>
        actors.flatMap((actor): Probe[] => [
          ...['', '?status=pending&limit=100', '?assignee=bob-b', '?target_kind=user'].map((query) => ({
            name: 'listReviewItems' as const,
            actor,
            path: `${endpoints.listReviewItems.path}${query}`,
            check: expectCleanSuccess(leaks(), (reply) =>
              reply.body.items.length === 0 ? undefined : `found ${JSON.stringify(reply.body)}`,
            ),
          })),
          ...B_CIDS.map((cid) => ({
            name: 'listReviewItems' as const,
            actor,
            path: `${endpoints.listReviewItems.path}?cid=${encodeURIComponent(cid)}`,
            check: expectError(404, 'not_found'),
          })),
        ]),
      getReviewItem: () => onB('getReviewItem', undefined, [''], [{ itemId: b.reviewItem }]),
      assignReviewItem: () =>
        onB(
          'assignReviewItem',
          () => [{ user_id: null }, { user_id: 'alice' }],
          [''],
          [{ itemId: b.reviewItem }],
        ),
      actOnReviewItem: () =>
        onB(
          'actOnReviewItem',
          () => [{ action: 'dismiss' }, { action: 'delete_message' }, { action: 'ban_from_app' }],
          [''],
          [{ itemId: b.reviewItem }],
        ),
      listModerationAudit: () =>
        actors.flatMap((actor) =>
          ['', '?target_user_id=dave-b', `?cid=${encodeURIComponent('team:b-team')}`].map(
            (query): Probe => ({
              name: 'listModerationAudit',
              actor,
              path: `${endpoints.listModerationAudit.path}${query}`,
              // A's plain user is refused before any lookup; A's admin and backend see A's log only.
              check: actor === 'alice' ? expectError(403, 'forbidden') : expectCleanSuccess(leaks()),
            }),
          ),
        ),

      search: () =>
        actors.flatMap((actor) => [
          {
            name: 'search',
            actor,
            path: `${endpoints.search.path}?query=${B_WORD}&limit=100`,
            check: expectCleanSuccess(leaks(), (reply) =>
              reply.body.results.length === 0 ? undefined : `found ${JSON.stringify(reply.body)}`,
            ),
          },
          ...B_CIDS.map(
            (cid): Probe => ({
              name: 'search',
              actor,
              path: `${endpoints.search.path}?query=${B_WORD}&cid=${encodeURIComponent(cid)}`,
              check: expectError(404, 'not_found'),
            }),
          ),
        ]),
    };
  }

  it('every endpoint refuses B’s ids to A’s credentials, and B stays exactly as it was', async () => {
    const before = await snapshotB(b);
    // Sanity: the snapshot really sees B's data, so an unchanged snapshot means something.
    expect(JSON.stringify(before)).toContain(B_WORD);
    expect((before.channels['messaging:b-dm'] as { asBob: Reply }).asBob.body.messages).toHaveLength(2);
    expect(before.webhooks.deliveries.body.deliveries.map((d: { id: string }) => d.id)).toEqual([b.delivery]);
    expect(before.webhooks.beforeSend.body.hook).toMatchObject({ url: expect.stringContaining(B_WORD) });

    const table = probesFor();
    expect(Object.keys(table).sort()).toEqual(Object.keys(endpoints).sort());

    const failures: string[] = [];
    let count = 0;
    for (const name of Object.keys(endpoints) as EndpointName[]) {
      const probes = table[name]();
      expect(probes.length, name).toBeGreaterThan(0);
      for (const probe of probes) {
        const { method } = endpoints[probe.name];
        const reply = await clientOf(probe.actor).request(method, probe.path, probe.body);
        count++;
        const problem = probe.check(reply);
        if (problem)
          failures.push(`${probe.actor} ${method} ${probe.path} ${JSON.stringify(probe.body)}: ${problem}`);
      }
    }
    expect(failures).toEqual([]);
    expect(count).toBeGreaterThan(300);

    expect(await snapshotB(b)).toEqual(before);
    // B's session survived A's refresh and logout attempts with its token, and B's account A's login.
    const refreshed = await b.t.anonymous.post('/v1/auth/refresh', { refresh_token: b.refreshToken });
    expect(refreshed.status).toBe(200);
    b.refreshToken = refreshed.body.refresh_token;
    expect(
      (await b.t.anonymous.post('/v1/auth/login', { username: 'pat-b', password: B_PASSWORD })).status,
    ).toBe(200);
  }, 120_000);

  it('refuses tokens of the other application', async () => {
    const bSigned = {
      alice: await createUserToken(b.t.app.api_secret, 'alice'),
      server: await createServerToken(b.t.app.api_secret),
    };
    // A's api key with tokens signed by B's secret, on A's and on B's resources.
    for (const token of Object.values(bSigned)) {
      const asA = a.t.anonymous.as(token);
      for (const [method, path, body] of [
        ['GET', '/v1/users/me'],
        ['GET', '/v1/channels/messaging/a-room'],
        ['GET', '/v1/channels/messaging/b-dm'],
        [
          'POST',
          '/v1/channels/messaging/a-room/messages',
          { client_msg_id: clientId(), text: 'x', user_id: 'alice' },
        ],
        ['POST', '/v1/users', { users: [{ id: 'eve' }] }],
        ['GET', '/v1/webhooks'],
        ['GET', `/v1/webhooks/${a.webhook}`],
        ['GET', `/v1/webhooks/${b.webhook}`],
        ['POST', '/v1/webhooks', { name: 'eve', url: `${HOOK_URL}/eve` }],
        ['PUT', '/v1/hooks/before-send', { url: `${HOOK_URL}/eve` }],
        ['DELETE', '/v1/hooks/before-send'],
      ] as const) {
        const reply = await asA.request(method, path, body);
        expect(isError(reply, 401, 'unauthenticated'), `${method} ${path}`).toBeUndefined();
      }
    }
    // And the other way round: B's api key with A's tokens.
    const aToken = await createUserToken(a.t.app.api_secret, 'alice');
    const reply = await b.t.anonymous.as(aToken).get('/v1/channels/messaging/b-dm');
    expect(isError(reply, 401, 'unauthenticated')).toBeUndefined();
    // The api key decides the app: a valid B token with A's key never reaches B's channel.
    expect((await b.alice.get('/v1/channels/messaging/b-dm')).status).toBe(200);
    // No user named eve was created anywhere, nor an endpoint or a hook.
    expect((await a.t.server.get('/v1/users/eve')).status).toBe(404);
    expect((await b.t.server.get('/v1/users/eve')).status).toBe(404);
    for (const t of [a.t, b.t]) {
      const names = (await t.server.get('/v1/webhooks')).body.webhooks.map((w: { name: string }) => w.name);
      expect(names).not.toContain('eve');
      expect((await t.server.get('/v1/hooks/before-send')).body.hook?.url).not.toBe(`${HOOK_URL}/eve`);
    }
    // B's backend, with B's own key and token, does not reach A's endpoint either.
    expect(isError(await b.t.server.get(`/v1/webhooks/${a.webhook}`), 404, 'not_found')).toBeUndefined();
    expect((await b.t.server.get('/v1/webhooks')).body.webhooks.map((w: { id: string }) => w.id)).toEqual([
      b.webhook,
    ]);
  });

  it('B’s channels never show up in A’s channel query, search or unread', async () => {
    // B's alice has unread messages in B; A's alice gets some in A.
    ok(
      await a.carol.post('/v1/channels/messaging/a-room/messages', {
        client_msg_id: clientId(),
        text: 'unread in A',
      }),
      'send',
    );
    const bUnread = (await b.alice.get('/v1/unread')).body;
    expect(bUnread.total_unread_count).toBeGreaterThan(0);

    for (const api of [a.alice, a.root, a.t.server]) {
      const list = await api.post('/v1/channels/query', { limit: 100, message_limit: 100 });
      expect(list.status).toBe(200);
      const cids = list.body.channels.map((c: { channel: { cid: string } }) => c.channel.cid);
      for (const cid of B_CIDS) expect(cids).not.toContain(cid);
      for (const leak of leaks()) expect(JSON.stringify(list.body)).not.toContain(leak);

      const search = await api.get(`/v1/search?query=${B_WORD}`);
      expect(search.status).toBe(200);
      expect(search.body.results).toEqual([]);
      const hello = await api.get('/v1/search?query=hello&limit=100');
      expect(hello.status).toBe(200);
      // Search covers the caller's channels: root (an app admin) is a member of none.
      expect(hello.body.results.map((r: { message: { cid: string } }) => r.message.cid)).toEqual(
        api === a.root ? [] : ['messaging:a-room'],
      );
    }
    const aliceList = await a.alice.post('/v1/channels/query', {});
    expect(aliceList.body.channels.map((c: { channel: { cid: string } }) => c.channel.cid)).toEqual([
      'messaging:a-room',
    ]);

    const unread = await a.alice.get('/v1/unread');
    expect(unread.status).toBe(200);
    expect(unread.body.channels.map((c: { cid: string }) => c.cid)).toEqual(['messaging:a-room']);
    expect(unread.body.total_unread_count).toBe(unread.body.channels[0].unread_count);
    expect((await b.alice.get('/v1/unread')).body).toEqual(bUnread);
  });

  it('one user id in two apps names two different users', async () => {
    // Both apps know 'alice'; each app's alice sees only her own profile, channels and messages.
    const meA = (await a.alice.get('/v1/users/me')).body.user;
    const meB = (await b.alice.get('/v1/users/me')).body.user;
    expect(meA).toMatchObject({ id: 'alice', name: 'Alice of A', custom: { app: 'A' } });
    expect(meB).toMatchObject({ id: 'alice', name: 'Alice of B', custom: { app: 'B' } });

    // The same channel id in both apps: two channels.
    ok(await a.alice.post('/v1/channels', { type: 'team', id: 'shared', members: ['carol-a'] }), 'A shared');
    ok(await b.bob.post('/v1/channels', { type: 'team', id: 'shared', members: ['alice'] }), 'B shared');
    const bSent = ok(
      await b.alice.post('/v1/channels/team/shared/messages', {
        client_msg_id: 'same-client-id',
        text: `B ${B_WORD}`,
      }),
      'B send',
    ).message;
    const before = await snapshotB(b, [{ type: 'team', id: 'shared' }]);

    // A's alice acts in A's 'team:shared', with the same client_msg_id B's alice used.
    const aSent = await a.alice.post('/v1/channels/team/shared/messages', {
      client_msg_id: 'same-client-id',
      text: 'A only',
    });
    expect(aSent.status).toBe(201);
    expect(aSent.body.message.id).not.toBe(bSent.id);
    expect(aSent.body.message).toMatchObject({ text: 'A only', user: { name: 'Alice of A' } });
    const aId = aSent.body.message.id;
    ok(await a.alice.post(`/v1/messages/${aId}/reactions`, { type: '👍' }), 'react');
    ok(await a.alice.post(`/v1/messages/${aId}/pin`), 'pin');
    ok(await a.alice.put('/v1/channels/team/shared/draft', { text: 'A draft' }), 'draft');
    ok(await a.carol.post('/v1/channels/team/shared/read', {}), 'read');
    ok(await a.alice.patch('/v1/channels/team/shared', { name: 'A shared' }), 'update');
    ok(await a.alice.post('/v1/channels/team/shared/members', { user_ids: ['root-a'] }), 'add');
    ok(await a.alice.post('/v1/channels/team/shared/mute'), 'mute');
    ok(await a.alice.patch('/v1/users/me', { name: 'Alice of A' }), 'update me');
    ok(await a.alice.post('/v1/channels/team/shared/truncate'), 'truncate');
    ok(await a.alice.delete('/v1/channels/team/shared'), 'delete');
    expect(await snapshotB(b, [{ type: 'team', id: 'shared' }])).toEqual(before);

    // B's alice's messages never reach A's alice.
    expect((await a.alice.get(`/v1/messages/${bSent.id}`)).status).toBe(404);
    expect((await a.alice.get(`/v1/search?query=${B_WORD}`)).body.results).toEqual([]);
    const aRoom = (await a.alice.get('/v1/channels/messaging/a-room/messages?limit=100')).body.messages;
    expect(aRoom.every((m: { id: string }) => ![b.m1, b.m2, b.reply, bSent.id].includes(m.id))).toBe(true);
    expect((await a.alice.get('/v1/channels/team/shared')).status).toBe(404);
    // And the other way round.
    expect((await b.alice.get(`/v1/messages/${aId}`)).status).toBe(404);
    expect((await b.alice.get('/v1/search?query=only')).body.results).toEqual([]);
  });

  it('password accounts with the same username in two apps are separate', async () => {
    const [c, d] = await Promise.all([
      newTestApp({ allow_registration: true }),
      newTestApp({ allow_registration: true }),
    ]);
    const inC = await c.anonymous.post('/v1/auth/register', { username: 'sam', password: 'password-of-c' });
    const inD = await d.anonymous.post('/v1/auth/register', { username: 'sam', password: 'password-of-d' });
    expect([inC.status, inD.status]).toEqual([201, 201]);
    // Each app's password opens only that app's account; tokens work only with their own api key.
    expect(
      (await c.anonymous.post('/v1/auth/login', { username: 'sam', password: 'password-of-d' })).status,
    ).toBe(401);
    expect(
      (await d.anonymous.post('/v1/auth/login', { username: 'sam', password: 'password-of-c' })).status,
    ).toBe(401);
    expect(
      (await c.anonymous.post('/v1/auth/login', { username: 'sam', password: 'password-of-c' })).status,
    ).toBe(200);
    expect((await d.anonymous.as(inC.body.access_token).get('/v1/users/me')).status).toBe(401);
    expect(
      (await d.anonymous.post('/v1/auth/refresh', { refresh_token: inC.body.refresh_token })).status,
    ).toBe(401);
    // C's token still rotates in C: D's failed attempt did not revoke it.
    expect(
      (await c.anonymous.post('/v1/auth/refresh', { refresh_token: inC.body.refresh_token })).status,
    ).toBe(200);
  });
});
