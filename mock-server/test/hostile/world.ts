import { randomBytes, randomUUID } from 'node:crypto';
import { type ClientFrameType, clientFrame, type EndpointName } from '@chat/protocol';
import { SignJWT } from 'jose';
import type { Kysely } from 'kysely';
import { createServerToken, createUserToken } from '../../src/domain/auth/index';
import { createLogger } from '../../src/kernel/logger';
import { type ChatServer, createChatServer } from '../../src/startup/server';
import type { AppRow, Database } from '../../src/store/schema';
import { createTestApp, getTestStore } from '../harness';
import { LogCapture } from './log-capture';
import { type Digest, digestApps } from './state-digest';

/**
 * The server and data the hostile inputs are sent to. Application A is the caller's; B is
 * another tenant, and A's `messaging:private` is a channel the caller (alice of A) cannot read.
 * Inputs name channels of A with alice as admin, bob and erin as members, a message of each and
 * a reply: one shared channel, and one per endpoint that takes something away (see OWN_CHANNEL),
 * so that deleting or freezing a channel leaves the others' inputs valid.
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
}

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
    expired: string;
    algNone: string;
  };
  /** A password account of A: its own refresh-token sessions for `refresh` and `logout`. */
  account: { username: string; password: string; refreshToken: string; logoutToken: string };
  channelOf(owner: EndpointName | ClientFrameType): ChannelFixture;
  /** Ids of B's data, and of A's private channel: answered as if they did not exist. */
  foreign: { otherApp: ForeignIds; private: Omit<ForeignIds, 'user'> };
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
];

export async function createWorld(): Promise<World> {
  const logs = new LogCapture();
  const server = await createChatServer({
    store: await getTestStore(),
    port: 0,
    host: '127.0.0.1',
    seedDemo: false,
    logger: createLogger({ level: 'info', destination: logs }),
    realtime: {
      // Thousands of bad frames on a few sockets: budgets must not close them mid-run.
      framesPerWindow: 1_000_000,
      invalidFramesPerWindow: 1_000_000,
      writes: { points: 1_000_000, durationSeconds: 1 },
      maxConnectionsPerUser: 1_000,
    },
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
  const carol = await tokenA('carol');
  await call(a, carol, 'POST', '/v1/channels', {
    type: 'messaging',
    id: 'private',
    name: `Private ${secretPrivate}`,
    members: ['dave'],
  });
  const privateMessage = await sendAs(call, a, carol, 'messaging/private', `carol says ${secretPrivate}`);

  const channels = new Map<string, ChannelFixture>();
  for (const owner of ['shared', ...OWN_CHANNEL]) {
    const id = `own-${owner.replace(/\./g, '-')}`;
    await call(a, alice, 'POST', '/v1/channels', { type: 'messaging', id, members: ['bob', 'erin'] });
    const path = `messaging/${id}`;
    const aliceMessage = await sendAs(call, a, alice, path, 'hello from alice');
    const bobMessage = await sendAs(call, a, bob, path, 'hello from bob');
    const reply = await sendAs(call, a, bob, path, 'a reply from bob', { parent_id: aliceMessage });
    channels.set(owner, { type: 'messaging', id, cid: `messaging:${id}`, aliceMessage, bobMessage, reply });
  }
  // So that unbanning someone is a valid input, not a no-op on a user who was never banned.
  await call(a, alice, 'POST', `/v1/channels/messaging/own-unbanMember/bans`, { user_id: 'erin' });

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
    foreign: {
      otherApp: {
        channel: { type: 'messaging', id: 'b-room', cid: 'messaging:b-room' },
        message: bMessage,
        user: 'bea',
      },
      private: {
        channel: { type: 'messaging', id: 'private', cid: 'messaging:private' },
        message: privateMessage,
      },
    },
    fresh() {
      const id = `never-${++counter}`;
      return { channel: { type: 'messaging', id, cid: `messaging:${id}` }, message: randomUUID(), user: id };
    },
    secrets: [secretB, secretPrivate],
    next: () => ++counter,
    digest: () => digestApps(db, [a.id, b.id]),
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

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
