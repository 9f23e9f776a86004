import { randomBytes, randomUUID } from 'node:crypto';
import { type ClientFrameType, clientFrame, type EndpointName } from '@chat/protocol';
import { SignJWT } from 'jose';
import type { Kysely } from 'kysely';
import { createServerToken, createUserToken } from '../../src/domain/auth/index';
import { createLogger } from '../../src/kernel/logger';
import { type ChatServer, createChatServer } from '../../src/startup/server';
import type { AppRow, Database } from '../../src/store/schema';
import { createTestApp, getTestStore, TEST_SECRET_KEY } from '../harness';
import { LogCapture } from './log-capture';
import { type Digest, digestApps } from './state-digest';

/**
 * The server and data the hostile inputs are sent to. Application A is the caller's; B is
 * another tenant, and A's `messaging:private` is a channel the caller (alice of A) cannot read.
 * Inputs name channels of A with alice as admin, bob and erin as members, a message of each and
 * a reply: one shared channel, and one per endpoint that takes something away (see OWN_CHANNEL),
 * so that deleting or freezing a channel leaves the others' inputs valid; and `livestream:public`,
 * bob's, which alice is not in (a browse list offers it). Both apps have webhook
 * endpoints (see OWN_WEBHOOK) with a delivery log, and B a before-send hook, all disabled: nothing
 * is delivered, and no background work writes to what the inputs name.
 */

export type Actor = 'alice' | 'server' | 'anonymous';

export interface ChannelFixture {
  type: 'messaging';
  id: string;
  cid: string;
  aliceMessage: string;
  bobMessage: string;
  /** bob's reply in the thread of aliceMessage. */
  reply: string;
}

/** What an id of one kind looks like when it names something the caller must not reach. */
export interface ForeignIds {
  channel: { type: 'messaging'; id: string; cid: string };
  message: string;
  user: string;
  /** A webhook endpoint, and an entry of its delivery log. */
  webhook: string;
  delivery: string;
  /** A push device: of a user of the other app, or of another user of A (a device is its user's). */
  device: string;
  /** An upload: of a user of the other app, or of another user of A (an upload is its user's). */
  upload: string;
  /** A blocklist (the whole app's). */
  blocklist: string;
}

/** Kinds of ids that only another app can hold (a channel of A can be private, a webhook cannot). */
type AppWideKinds = 'user' | 'webhook' | 'delivery' | 'blocklist';

export interface World {
  server: ChatServer;
  db: Kysely<Database>;
  logs: LogCapture;
  a: AppRow;
  b: AppRow;
  tokens: {
    alice: string;
    server: string;
    /** Signed with B's secret, for B's alice. */
    otherApp: string;
    /** Signed with B's secret, a server token: B's backend, never A's. */
    otherAppServer: string;
    expired: string;
    algNone: string;
  };
  /** A password account of A: its own refresh-token sessions for `refresh` and `logout`. */
  account: { username: string; password: string; refreshToken: string; logoutToken: string };
  channelOf(owner: EndpointName | ClientFrameType): ChannelFixture;
  /** Alice's own push device, for the input that removes one. */
  device: string;
  /**
   * Alice's own uploads: one sent and completed (read, completed again), one for the input that
   * deletes one, and a resumable one whose part 1 is stored (its ETag as the storage answered).
   */
  uploads: {
    ready: string;
    disposable: string;
    resumable: string;
    resumablePart: { etag: string; size: number };
  };
  /** The id of A's webhook endpoint an input names: its own for one that takes it away (see OWN_WEBHOOK). */
  webhookOf(owner: EndpointName): string;
  /**
   * A's shared endpoint (disabled, subscribed to `channel.created`): two entries of its delivery
   * log, older first, written straight into the table (they stay `pending`: no job delivers them),
   * and a time range holding the world's own `channel.created` events, for replays.
   */
  deliveries: { older: string; newer: string };
  replayRange: { since: string; until: string };
  /** A review item: erin reported bob's message in the shared channel; alice reviews it. */
  reviewItem: string;
  /** A's blocklist an input names: its own for one that takes it away (see OWN_BLOCKLIST). */
  blocklistOf(owner: EndpointName): string;
  /** Ids of B's data, and of A's private channel: answered as if they did not exist. */
  foreign: { otherApp: ForeignIds; private: Omit<ForeignIds, AppWideKinds> };
  /** Ids of the same kinds that never existed anywhere. */
  fresh(): ForeignIds;
  /** Text only B's data and the private channel hold: no answer to A may contain it. */
  secrets: string[];
  /** A number unique within this file, for ids that must not collide (new channels, usernames). */
  next(): number;
  digest(): Promise<Digest>;
  close(): Promise<void>;
}

const PASSWORD = 'correct horse battery staple';

/**
 * Endpoints and frames whose valid input takes something away (the channel, its messages, a
 * member, the right to post): each gets a channel of its own, the others share one.
 */
const OWN_CHANNEL: readonly (EndpointName | ClientFrameType)[] = [
  'deleteChannel',
  'freezeChannel',
  'unfreezeChannel',
  'truncateChannel',
  'removeMembers',
  'setMemberRole',
  'banMember',
  'unbanMember',
  'deleteMessage',
  'message.delete',
  'removeLinkPreview',
];

/**
 * Endpoints whose valid input takes a webhook endpoint away (deleting it) or may turn it on (a
 * mutation of `enabled`): each gets an endpoint of its own; the others share A's, which stays
 * disabled, so that no delivery is ever logged for it but by a replay (see `digest`).
 */
const OWN_WEBHOOK: readonly EndpointName[] = ['updateWebhook', 'deleteWebhook'];

/**
 * Blocklists: the one that is deleted gets its own; all stay inactive (valid inputs
 * never turn one on), so no send of the suite is ever blocked or masked.
 */
const OWN_BLOCKLIST: readonly EndpointName[] = ['deleteBlocklist'];

/** Where A's and B's endpoints point: public, so accepted; nothing is ever delivered there. */
export const HOOK_URL = 'https://hooks.example.com';

/** A signing secret as Standard Webhooks makes them: `whsec_` and base64 of 32 random bytes. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

export async function createWorld(): Promise<World> {
  const logs = new LogCapture();
  const server = await createChatServer({
    store: await getTestStore(),
    port: 0,
    host: '127.0.0.1',
    seedDemo: false,
    secretKey: TEST_SECRET_KEY,
    logger: createLogger({ level: 'info', destination: logs }),
    realtime: {
      // Thousands of bad frames on a few sockets: budgets must not close them mid-run.
      framesPerWindow: 1_000_000,
      invalidFramesPerWindow: 1_000_000,
      writes: { points: 1_000_000, durationSeconds: 1 },
      maxConnectionsPerUser: 1_000,
    },
    // Fuzzed text may hold links: no job may change a message behind the digest's back.
    linkPreviews: { enabled: false },
  });
  const db = server.store.db;
  const a = await createTestApp(db, { allow_registration: true });
  const b = await createTestApp(db);
  const call = caller(server.url);
  const secretB = `bsecret${randomBytes(6).toString('hex')}`;
  const secretPrivate = `psecret${randomBytes(6).toString('hex')}`;

  const serverA = await createServerToken(a.api_secret);
  const serverB = await createServerToken(b.api_secret);
  await call(a, serverA, 'POST', '/v1/users', {
    users: ['alice', 'bob', 'carol', 'dave', 'erin'].map((id) => ({ id, name: id.toUpperCase() })),
  });
  await call(b, serverB, 'POST', '/v1/users', {
    users: [
      { id: 'alice', name: `Alice ${secretB}` },
      { id: 'bea', name: `Bea ${secretB}` },
    ],
  });
  const tokenA = (user: string) => createUserToken(a.api_secret, user);
  const alice = await tokenA('alice');
  const bob = await tokenA('bob');

  // B's conversation and A's private channel, each with a message only its members may read.
  const bea = await createUserToken(b.api_secret, 'bea');
  await call(b, bea, 'POST', '/v1/channels', {
    type: 'messaging',
    id: 'b-room',
    name: `B room ${secretB}`,
    members: ['alice'],
  });
  const bMessage = await sendAs(call, b, bea, 'messaging/b-room', `B says ${secretB}`);
  // B's webhook endpoint (disabled: no delivery is logged for it in the background), an entry of
  // its log, and B's before-send hook: their names, urls and event ids carry B's secret text.
  const bHook = await call(b, serverB, 'POST', '/v1/webhooks', {
    name: `B hook ${secretB}`,
    url: `${HOOK_URL}/${secretB}`,
    events: ['message.new'],
    enabled: false,
  });
  await call(b, serverB, 'PUT', '/v1/hooks/before-send', {
    url: `${HOOK_URL}/${secretB}/before-send`,
    enabled: false,
  });
  const bDelivery = await logDelivery(db, b.id, bHook.webhook.id, `${secretB}:1`, { text: secretB });
  // B's blocklist (inactive), its name and entry B's secret.
  const bBlocklist = (
    await call(b, serverB, 'POST', '/v1/blocklists', {
      name: `B list ${secretB}`,
      kind: 'word',
      mode: 'flag',
      is_active: false,
      entries: [secretB.toLowerCase()],
    })
  ).blocklist.id as string;
  // Push devices: B's bea's (its name carries B's secret), A's bob's (alice may not touch it), and
  // alice's own.
  const registerDevice = async (app: AppRow, token: string, name: string) =>
    (await call(app, token, 'POST', '/v1/devices', { provider: 'fcm', token: `tok-${name}`, name })).device
      .id as string;
  const bDevice = await registerDevice(b, bea, `bea-${secretB}`);
  const bobDevice = await registerDevice(a, bob, 'bob-phone');
  const aliceDevice = await registerDevice(a, alice, 'alice-phone');
  // Uploads: B's bea's (its name carries B's secret), A's bob's, and two of alice's, sent and completed.
  const upload = async (app: AppRow, token: string, name: string, send = false) => {
    const bytes = Buffer.from(`notes of ${name}`);
    const slot = await call(app, token, 'POST', '/v1/uploads', {
      name,
      type: 'text/plain',
      size: bytes.length,
    });
    if (send) {
      const put = await fetch(new URL(slot.target.url, server.url), {
        method: 'PUT',
        headers: slot.target.headers,
        body: bytes,
      });
      if (!put.ok) throw new Error(`setup upload of ${name}: ${put.status} ${await put.text()}`);
      await call(app, token, 'POST', `/v1/uploads/${slot.upload.id}/complete`);
    }
    return slot.upload.id as string;
  };
  const bUpload = await upload(b, bea, `bea-${secretB}.txt`, true);
  const bobUpload = await upload(a, bob, 'bob.txt', true);
  const aliceUploads = {
    ready: await upload(a, alice, 'alice.txt', true),
    disposable: await upload(a, alice, 'alice-old.txt', true),
    ...(await (async () => {
      const slot = await call(a, alice, 'POST', '/v1/uploads/resumable', {
        name: 'alice-video.mp4',
        type: 'video/mp4',
        size: 20 * 1024 * 1024,
      });
      const { parts } = await call(a, alice, 'POST', `/v1/uploads/${slot.upload.id}/parts`, {
        part_numbers: [1],
      });
      // A part holds exactly its share: the first 8 MiB of the 20 MiB declared.
      const bytes = Buffer.alloc(slot.multipart.part_size, 7);
      const put = await fetch(new URL(parts[0].url, server.url), { method: 'PUT', body: bytes });
      if (!put.ok) throw new Error(`setup part: ${put.status} ${await put.text()}`);
      return {
        resumable: slot.upload.id as string,
        resumablePart: { etag: put.headers.get('etag')!, size: bytes.length },
      };
    })()),
  };
  const carol = await tokenA('carol');
  await call(a, carol, 'POST', '/v1/channels', {
    type: 'messaging',
    id: 'private',
    name: `Private ${secretPrivate}`,
    members: ['dave'],
  });
  const privateMessage = await sendAs(call, a, carol, 'messaging/private', `carol says ${secretPrivate}`);

  const replaySince = new Date().toISOString();
  const channels = new Map<string, ChannelFixture>();
  for (const owner of ['shared', ...OWN_CHANNEL]) {
    const id = `own-${owner.replace(/\./g, '-')}`;
    await call(a, alice, 'POST', '/v1/channels', { type: 'messaging', id, members: ['bob', 'erin'] });
    const path = `messaging/${id}`;
    // A link to take the preview of off; sent without previews, so no job fetches it.
    const aliceMessage =
      owner === 'removeLinkPreview'
        ? await sendAs(call, a, alice, path, 'hello from alice https://example.com/', {
            skip_link_previews: true,
          })
        : await sendAs(call, a, alice, path, 'hello from alice');
    const bobMessage = await sendAs(call, a, bob, path, 'hello from bob');
    const reply = await sendAs(call, a, bob, path, 'a reply from bob', { parent_id: aliceMessage });
    channels.set(owner, { type: 'messaging', id, cid: `messaging:${id}`, aliceMessage, bobMessage, reply });
  }
  // A public channel alice is not in: what a browse list (queryChannels' `joinable`) offers her.
  await call(a, bob, 'POST', '/v1/channels', { type: 'livestream', id: 'public', members: ['erin'] });
  await sendAs(call, a, bob, 'livestream/public', 'live from bob');
  // So that unbanning someone is a valid input, not a no-op on a user who was never banned.
  await call(a, alice, 'POST', `/v1/channels/messaging/own-unbanMember/bans`, { user_id: 'erin' });
  // Every channel.created event of the world is older than this (event times are the database's).
  await new Promise((resolve) => setTimeout(resolve, 20));
  const replayUntil = new Date().toISOString();

  const webhooks = new Map<string, string>();
  for (const owner of ['shared', ...OWN_WEBHOOK]) {
    const created = await call(a, serverA, 'POST', '/v1/webhooks', {
      name: `A hook ${owner}`,
      url: `${HOOK_URL}/a/${owner}`,
      events: ['channel.created'],
      enabled: false,
    });
    webhooks.set(owner, created.webhook.id);
  }
  const sharedHook = webhooks.get('shared')!;
  const shared = channels.get('shared')!;
  const olderDelivery = await logDelivery(db, a.id, sharedHook, `${shared.id}:1`, {
    id: shared.aliceMessage,
  });
  const newerDelivery = await logDelivery(db, a.id, sharedHook, `${shared.id}:2`, { id: shared.bobMessage });

  // A review item: alice, the shared channel's admin, reviews it.
  const erin = await tokenA('erin');
  await call(a, erin, 'POST', `/v1/messages/${shared.bobMessage}/report`, { reason: 'spam' });
  const reviewItem = (await call(a, serverA, 'GET', '/v1/moderation/queue')).items[0].id as string;

  const blocklists = new Map<string, string>();
  for (const owner of ['shared', ...OWN_BLOCKLIST]) {
    const created = await call(a, serverA, 'POST', '/v1/blocklists', {
      name: `A list ${owner}`,
      kind: 'word',
      mode: 'flag',
      is_active: false,
      entries: ['zzquux'],
    });
    blocklists.set(owner, created.blocklist.id);
  }

  const register = await call(a, undefined, 'POST', '/v1/auth/register', {
    username: 'pat',
    password: PASSWORD,
  });
  const logoutSession = await call(a, undefined, 'POST', '/v1/auth/login', {
    username: 'pat',
    password: PASSWORD,
  });

  let counter = 0;
  const secret = new TextEncoder().encode(a.api_secret);
  const now = Math.floor(Date.now() / 1000);
  return {
    server,
    db,
    logs,
    a,
    b,
    tokens: {
      alice,
      server: serverA,
      otherApp: await createUserToken(b.api_secret, 'alice'),
      otherAppServer: serverB,
      expired: await new SignJWT({ user_id: 'alice' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt(now - 7200)
        .setExpirationTime(now - 3600)
        .sign(secret),
      algNone: `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ user_id: 'alice', iat: now, exp: now + 3600 })}.`,
    },
    account: {
      username: 'pat',
      password: PASSWORD,
      refreshToken: register.refresh_token,
      logoutToken: logoutSession.refresh_token,
    },
    channelOf(owner) {
      return channels.get(owner) ?? channels.get('shared')!;
    },
    device: aliceDevice,
    uploads: aliceUploads,
    webhookOf(owner) {
      return webhooks.get(owner) ?? sharedHook;
    },
    deliveries: { older: olderDelivery, newer: newerDelivery },
    replayRange: { since: replaySince, until: replayUntil },
    reviewItem,
    blocklistOf(owner) {
      return blocklists.get(owner) ?? blocklists.get('shared')!;
    },
    foreign: {
      otherApp: {
        channel: { type: 'messaging', id: 'b-room', cid: 'messaging:b-room' },
        message: bMessage,
        user: 'bea',
        webhook: bHook.webhook.id,
        delivery: bDelivery,
        device: bDevice,
        upload: bUpload,
        blocklist: bBlocklist,
      },
      private: {
        channel: { type: 'messaging', id: 'private', cid: 'messaging:private' },
        message: privateMessage,
        device: bobDevice,
        upload: bobUpload,
      },
    },
    fresh() {
      const id = `never-${++counter}`;
      return {
        channel: { type: 'messaging', id, cid: `messaging:${id}` },
        message: randomUUID(),
        user: id,
        webhook: randomUUID(),
        delivery: randomUUID(),
        device: randomUUID(),
        upload: randomUUID(),
        blocklist: randomUUID(),
      };
    },
    secrets: [secretB, secretPrivate],
    next: () => ++counter,
    // The delivery logs of the endpoints no background work writes to (disabled ones that no
    // valid input enables): a refused replay must add nothing to them.
    digest: () => digestApps(db, [a.id, b.id], { webhookIds: [sharedHook, bHook.webhook.id] }),
    close: () => server.close(),
  };
}

/** The client frame types, from the protocol's union (so a new one gets a channel too). */
export function frameTypeNames(): ClientFrameType[] {
  return clientFrame.options.map((option) => option.shape.type.value) as ClientFrameType[];
}

type Call = (
  app: AppRow,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
) => Promise<Record<string, any>>;

/** A setup request that must succeed. */
function caller(baseUrl: string): Call {
  return async (app, token, method, path, body) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        'x-api-key': app.api_key,
        ...(token && { authorization: `Bearer ${token}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`setup ${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : {};
  };
}

async function sendAs(
  call: Call,
  app: AppRow,
  token: string,
  channelPath: string,
  text: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const reply = await call(app, token, 'POST', `/v1/channels/${channelPath}/messages`, {
    client_msg_id: randomUUID(),
    text,
    ...extra,
  });
  return reply.message.id;
}

/**
 * An entry of an endpoint's delivery log, written as the webhooks' feed consumer writes one for a
 * `message.new` event; nothing queues a job for it, so it stays `pending`.
 */
async function logDelivery(
  db: Kysely<Database>,
  appId: string,
  webhookId: string,
  eventId: string,
  message: Record<string, string>,
): Promise<string> {
  const row = await db
    .insertInto('webhook_deliveries')
    .values({
      app_id: appId,
      webhook_id: webhookId,
      message_id: `msg_${randomBytes(16).toString('hex')}`,
      event_id: eventId,
      event_type: 'message.new',
      body: JSON.stringify({
        type: 'message.new',
        timestamp: new Date().toISOString(),
        data: { type: 'message.new', message },
      }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
