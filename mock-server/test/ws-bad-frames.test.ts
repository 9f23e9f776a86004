import { randomUUID } from 'node:crypto';
import { CLOSE_CODES, type ErrorCode, LIMITS, type ServerFrame } from '@chat/protocol';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createServerToken, createUserToken } from '../src/domain/auth/index';
import { type ChatServer, createChatServer } from '../src/startup/server';
import { clientId } from './api';
import { createTestApp, getTestStore } from './harness';
import { createChannel, send } from './rest-helpers';
import { WsClient } from './ws-client';
import { appOn, closeSockets, eventsOf, type WsTestApp, waitForEvent } from './ws-fixtures';

/**
 * Hostile and mistaken input on the socket: every bad frame gets its documented answer (an error
 * frame carrying the request id when it can be known, the error code and, for validation errors,
 * the failing field), repeated abuse closes the socket, and none of it changes the database.
 */

const INVALID_FRAMES = 5;
const FRAMES = 40;

let server: ChatServer;
let t: WsTestApp;

type Path = (string | number)[];
type Json = Record<string, unknown>;

/** Ids the cases refer to, created once. */
interface Fixtures {
  /** alice's message in messaging:main. */
  aliceMessage: string;
  /** bob's message in messaging:main. */
  bobMessage: string;
  /** alice's message in messaging:main, deleted. */
  deletedMessage: string;
  /** alice's message in messaging:other. */
  otherChannelMessage: string;
  /** carol's message in messaging:private, which alice may not read. */
  privateMessage: string;
}
let f: Fixtures;

beforeAll(async () => {
  server = await createChatServer({
    store: await getTestStore(),
    port: 0,
    host: '127.0.0.1',
    seedDemo: false,
    logLevel: 'silent',
    realtime: {
      invalidFramesPerWindow: INVALID_FRAMES,
      framesPerWindow: FRAMES,
      frameWindowMs: 60_000,
      // One typing relay per user and channel for the whole file: floods are easy to count.
      typingThrottleMs: 60_000,
      typingTimeoutMs: 60_000,
    },
  });
  t = await appOn(server);
  const [alice, bob, carol] = await t.users('alice', 'bob', 'carol', 'dave', 'erin');
  await createChannel(alice!, 'main', ['bob', 'erin']);
  await createChannel(alice!, 'other', ['bob']);
  await createChannel(alice!, 'frozen', ['bob']);
  await createChannel(alice!, 'banned', ['bob']);
  await createChannel(alice!, 'dup', ['bob']);
  await createChannel(alice!, 'dup2', ['bob']);
  await createChannel(carol!, 'private', ['dave']);
  await createChannel(carol!, 'live', [], { type: 'livestream' });
  expect((await alice!.post('/v1/channels/messaging/frozen/freeze')).status).toBe(200);
  expect((await alice!.post('/v1/channels/messaging/banned/bans', { user_id: 'bob' })).status).toBe(200);
  const deleted = await send(alice!, 'messaging:main', 'soon gone');
  expect((await alice!.delete(`/v1/messages/${deleted.id}`)).status).toBe(200);
  f = {
    aliceMessage: (await send(alice!, 'messaging:main', 'from alice')).id,
    bobMessage: (await send(bob!, 'messaging:main', 'from bob')).id,
    deletedMessage: deleted.id,
    otherChannelMessage: (await send(alice!, 'messaging:other', 'elsewhere')).id,
    privateMessage: (await send(carol!, 'messaging:private', 'secret')).id,
  };
});

afterEach(closeSockets);

afterAll(async () => {
  await closeSockets();
  await server?.close();
});

/** Everything a bad frame could have written, for the test app: it must not move. */
async function snapshot() {
  const { db } = await getTestStore();
  const appId = t.app.id;
  const count = async (
    table: 'messages' | 'message_reactions' | 'message_attachments' | 'channel_events' | 'message_reads',
  ) =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('app_id', '=', appId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    counts: {
      messages: await count('messages'),
      reactions: await count('message_reactions'),
      attachments: await count('message_attachments'),
      events: await count('channel_events'),
      reads: await count('message_reads'),
    },
    channels: (
      await db
        .selectFrom('channels')
        .select(['type', 'external_id', 'seq', 'is_frozen', 'member_count', 'last_message_at'])
        .where('app_id', '=', appId)
        .orderBy('external_id')
        .execute()
    ).map((c) => ({ ...c, seq: String(c.seq) })),
    members: await db
      .selectFrom('channel_members')
      .select(['channel_id', 'app_user_id', 'role', 'is_banned', 'read_seq'])
      .where('app_id', '=', appId)
      .orderBy('channel_id')
      .orderBy('app_user_id')
      .execute(),
    messages: (
      await db
        .selectFrom('messages')
        .select(['id', 'seq', 'text', 'is_deleted', 'edited_at', 'reply_count', 'updated_at'])
        .where('app_id', '=', appId)
        .orderBy('id')
        .execute()
    ).map((m) => ({ ...m, seq: String(m.seq) })),
    reactions: await db
      .selectFrom('message_reactions')
      .select(['message_id', 'app_user_id', 'type'])
      .where('app_id', '=', appId)
      .orderBy('message_id')
      .orderBy('type')
      .execute(),
  };
}

type ErrorFrame = Extract<ServerFrame, { type: 'error' }>;

/** Resolves with the first frame from `from` on that matches (already received or still to come). */
function nextFrame<T extends ServerFrame>(
  client: WsClient,
  match: (frame: ServerFrame) => boolean,
  from = 0,
  timeoutMs = 10_000,
): Promise<T> {
  const find = () => client.frames.slice(from).find(match) as T | undefined;
  const found = find();
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      client.ws.off('message', onMessage);
      client.ws.off('close', onClose);
    };
    // Registered after the client's own listener, so the frame is in `client.frames` by now.
    const onMessage = () => {
      const frame = find();
      if (!frame) return;
      done();
      resolve(frame);
    };
    const onClose = (code: number) => {
      done();
      reject(new Error(`socket closed with ${code} before the expected frame`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error('timed out waiting for a frame'));
    }, timeoutMs);
    client.ws.on('message', onMessage);
    client.ws.on('close', onClose);
  });
}

const isError = (frame: ServerFrame): frame is ErrorFrame => frame.type === 'error';

/** The error answering what was just sent: by id when the frame had one, else the first id-less one. */
function errorAfter(client: WsClient, from: number, id: string | undefined): Promise<ErrorFrame> {
  return nextFrame<ErrorFrame>(
    client,
    (frame) => isError(frame) && (id === undefined ? frame.id === undefined : frame.id === id),
    from,
  );
}

/** A request id is echoed when the frame was JSON text with a string id of 1–64 characters. */
function knownId(frame: unknown): string | undefined {
  if (Buffer.isBuffer(frame)) return undefined;
  if (typeof frame === 'string') {
    try {
      return knownId(JSON.parse(frame));
    } catch {
      return undefined;
    }
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return undefined;
  const id = (frame as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : undefined;
}

function expectIssue(error: ErrorFrame['error'], path: Path): void {
  const paths = (error.details?.issues ?? []).map((issue) => issue.path);
  expect(paths, JSON.stringify(error)).toContainEqual(path);
}

function expectUnknownKey(error: ErrorFrame['error'], key: string, at: Path): void {
  const issues = error.details?.issues ?? [];
  const named = issues.some(
    (issue) => JSON.stringify(issue.path) === JSON.stringify(at) && issue.message.includes(`"${key}"`),
  );
  expect(named, JSON.stringify(error)).toBe(true);
}

/** Proves a socket is still open and served: a ping answered by its ack. */
async function expectServed(client: WsClient): Promise<void> {
  expect(await client.request({ type: 'ping' })).toMatchObject({ type: 'ack' });
  expect(client.closeCode).toBeNull();
}

type User = 'alice' | 'bob' | 'erin';

interface BadFrame {
  /** Who sends it, on a fresh authenticated socket (alice by default). */
  as?: User;
  frame: (f: Fixtures) => string | Buffer | Json | unknown[] | null;
  code: ErrorCode;
  /** For validation errors: one of the issue paths. */
  path?: Path;
  /** For unknown keys: the key, and the path of the object that has it. */
  unknownKey?: [string, Path];
}

const uuid = () => randomUUID();
const sendFrame = (message: Json, cid = 'messaging:main'): Json => ({
  type: 'message.send',
  id: `send-${uuid().slice(0, 8)}`,
  cid,
  message: { client_msg_id: clientId(), ...message },
});
const nested = (depth: number): Json => (depth === 0 ? {} : { a: nested(depth - 1) });
const tooLongId = 'i'.repeat(65);
const longestId = 'j'.repeat(64);

const badFrames: Record<string, BadFrame> = {
  // Not a frame at all.
  'not JSON': { frame: () => 'hello server', code: 'invalid_frame' },
  'truncated JSON': { frame: () => '{"type":"ping","id":"cut"', code: 'invalid_frame' },
  'empty text frame': { frame: () => '', code: 'invalid_frame' },
  'JSON null': { frame: () => 'null', code: 'validation_failed', path: [] },
  'JSON array': { frame: () => [{ type: 'ping', id: 'in-array' }], code: 'validation_failed', path: [] },
  'JSON string': { frame: () => '"ping"', code: 'validation_failed', path: [] },
  'deeply nested arrays': {
    frame: () => `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
    code: 'validation_failed',
    path: [],
  },

  // Envelope: type and id.
  'unknown type': {
    frame: () => ({ type: 'channel.delete', id: 'u1' }),
    code: 'validation_failed',
    path: ['type'],
  },
  'type of the wrong type': {
    frame: () => ({ type: 5, id: 't5' }),
    code: 'validation_failed',
    path: ['type'],
  },
  'missing type': { frame: () => ({ id: 'no-type' }), code: 'validation_failed', path: ['type'] },
  'missing id': { frame: () => ({ type: 'ping' }), code: 'validation_failed', path: ['id'] },
  'empty id': { frame: () => ({ type: 'ping', id: '' }), code: 'validation_failed', path: ['id'] },
  'id of 65 characters': {
    frame: () => ({ type: 'ping', id: tooLongId }),
    code: 'validation_failed',
    path: ['id'],
  },
  'id of the wrong type': { frame: () => ({ type: 'ping', id: 7 }), code: 'validation_failed', path: ['id'] },
  'extra key (id of 64 characters still echoed)': {
    frame: () => ({ type: 'ping', id: longestId, extra: 1 }),
    code: 'validation_failed',
    unknownKey: ['extra', []],
  },
  '__proto__ key on the frame': {
    frame: () => '{"type":"ping","id":"proto","__proto__":{"admin":true}}',
    code: 'validation_failed',
    unknownKey: ['__proto__', []],
  },
  'constructor key on the frame': {
    frame: () => ({ type: 'ping', id: 'ctor', constructor: { prototype: { admin: true } } }),
    code: 'validation_failed',
    unknownKey: ['constructor', []],
  },

  // Field types and bounds.
  'cid of the wrong type': {
    frame: () => ({ ...sendFrame({ text: 'x' }), cid: 42 }),
    code: 'validation_failed',
    path: ['cid'],
  },
  'cid with an unknown channel type': {
    frame: () => sendFrame({ text: 'x' }, 'group:main'),
    code: 'validation_failed',
    path: ['cid'],
  },
  'message missing': {
    frame: () => ({ type: 'message.send', id: 'no-message', cid: 'messaging:main' }),
    code: 'validation_failed',
    path: ['message'],
  },
  'text of the wrong type': {
    frame: () => sendFrame({ text: 12 }),
    code: 'validation_failed',
    path: ['message', 'text'],
  },
  '__proto__ key on the message': {
    frame: () =>
      `{"type":"message.send","id":"proto-msg","cid":"messaging:main","message":{"client_msg_id":"${clientId()}","text":"x","__proto__":{"user_id":"bob"}}}`,
    code: 'validation_failed',
    unknownKey: ['__proto__', ['message']],
  },
  'constructor key on the message': {
    frame: () => sendFrame({ text: 'x', constructor: {} }),
    code: 'validation_failed',
    unknownKey: ['constructor', ['message']],
  },
  '__proto__ key inside custom data': {
    frame: () =>
      `{"type":"message.send","id":"proto-custom","cid":"messaging:main","message":{"client_msg_id":"${clientId()}","text":"x","custom":{"__proto__":{"polluted":true}}}}`,
    code: 'validation_failed',
    path: ['message', 'custom', '__proto__'],
  },
  'custom data nested too deep': {
    frame: () => sendFrame({ text: 'x', custom: nested(40) }),
    code: 'validation_failed',
    path: ['message', 'custom', ...Array<string>(LIMITS.CUSTOM_DATA_DEPTH).fill('a')],
  },
  'lone surrogate in text': {
    frame: () =>
      `{"type":"message.send","id":"surrogate","cid":"messaging:main","message":{"client_msg_id":"${clientId()}","text":"half \\ud800 a pair"}}`,
    code: 'validation_failed',
    path: ['message', 'text'],
  },
  'NUL character in text': {
    frame: () => sendFrame({ text: 'nul\u0000byte' }),
    code: 'validation_failed',
    path: ['message', 'text'],
  },
  'text of 5001 characters': {
    frame: () => sendFrame({ text: 'x'.repeat(LIMITS.MESSAGE_TEXT_LENGTH + 1) }),
    code: 'validation_failed',
    path: ['message', 'text'],
  },
  'whitespace-only text and no attachment': {
    frame: () => sendFrame({ text: ' \n\t ' }),
    code: 'validation_failed',
    path: ['message', 'text'],
  },
  'frame of exactly 64 KiB with text too long': {
    frame: () => {
      const base = JSON.stringify(sendFrame({ text: '' }));
      const text = 'y'.repeat(LIMITS.FRAME_BYTES - Buffer.byteLength(base));
      const frame = JSON.stringify(sendFrame({ text }));
      // Same shape as `base`, so the ids have the same lengths: the frame is exactly the limit.
      expect(Buffer.byteLength(frame)).toBe(LIMITS.FRAME_BYTES);
      return frame;
    },
    code: 'validation_failed',
    path: ['message', 'text'],
  },
  'eleven attachments': {
    frame: () =>
      sendFrame({
        text: 'x',
        attachments: Array.from({ length: LIMITS.ATTACHMENTS_PER_MESSAGE + 1 }, (_, i) => ({
          type: 'image',
          url: `https://cdn.example/${i}.png`,
        })),
      }),
    code: 'validation_failed',
    path: ['message', 'attachments'],
  },
  'attachment with a javascript: url': {
    frame: () => sendFrame({ text: 'x', attachments: [{ type: 'file', url: 'javascript:alert(1)' }] }),
    code: 'validation_failed',
    path: ['message', 'attachments', 0, 'url'],
  },
  'message.update with a message_id that is not a uuid': {
    frame: () => ({ type: 'message.update', id: 'upd', message_id: '../../admin', message: { text: 'x' } }),
    code: 'validation_failed',
    path: ['message_id'],
  },
  'message.update changing nothing': {
    frame: (f) => ({ type: 'message.update', id: 'upd-empty', message_id: f.aliceMessage, message: {} }),
    code: 'validation_failed',
    path: ['message'],
  },
  'empty reaction type': {
    frame: (f) => ({ type: 'reaction.add', id: 'r-empty', message_id: f.bobMessage, reaction_type: '' }),
    code: 'validation_failed',
    path: ['reaction_type'],
  },
  'reaction type of 33 characters': {
    frame: (f) => ({
      type: 'reaction.add',
      id: 'r-long',
      message_id: f.bobMessage,
      reaction_type: 'r'.repeat(33),
    }),
    code: 'validation_failed',
    path: ['reaction_type'],
  },
  'negative since': {
    frame: () => ({ type: 'channel.watch', id: 'w-neg', cid: 'messaging:main', since: -1 }),
    code: 'validation_failed',
    path: ['since'],
  },
  'since beyond the safe integers': {
    frame: () => ({ type: 'channel.watch', id: 'w-huge', cid: 'messaging:main', since: 2 ** 53 }),
    code: 'validation_failed',
    path: ['since'],
  },
  'fractional since': {
    frame: () => ({ type: 'channel.watch', id: 'w-frac', cid: 'messaging:main', since: 1.5 }),
    code: 'validation_failed',
    path: ['since'],
  },
  'since as a string': {
    frame: () => ({ type: 'channel.watch', id: 'w-str', cid: 'messaging:main', since: '3' }),
    code: 'validation_failed',
    path: ['since'],
  },
  'message_limit above the page maximum': {
    frame: () => ({
      type: 'channel.watch',
      id: 'w-lim',
      cid: 'messaging:main',
      message_limit: LIMITS.PAGE_SIZE_MAX + 1,
    }),
    code: 'validation_failed',
    path: ['message_limit'],
  },
  'typing with a parent_id that is not a uuid': {
    frame: () => ({ type: 'typing.start', id: 'typ-parent', cid: 'messaging:main', parent_id: 'nope' }),
    code: 'validation_failed',
    path: ['parent_id'],
  },
  'auth frame with a token of the wrong type': {
    frame: () => ({ type: 'auth', id: 'auth-num', token: 123 }),
    code: 'validation_failed',
    path: ['token'],
  },
  'auth frame with a token over the length limit': {
    frame: () => ({ type: 'auth', id: 'auth-long', token: 'a'.repeat(LIMITS.TOKEN_LENGTH + 1) }),
    code: 'validation_failed',
    path: ['token'],
  },

  // Well-formed, refused by the rules of the channel.
  'watching a channel one may not read': {
    frame: () => ({ type: 'channel.watch', id: 'w-private', cid: 'messaging:private' }),
    code: 'not_found',
  },
  'watching a channel that does not exist': {
    frame: () => ({ type: 'channel.watch', id: 'w-missing', cid: 'messaging:nowhere' }),
    code: 'not_found',
  },
  'unwatching a channel that does not exist': {
    frame: () => ({ type: 'channel.unwatch', id: 'uw-missing', cid: 'team:nowhere' }),
    code: 'not_found',
  },
  // The same answer as for one that does not exist: unwatch is no way to learn it exists.
  'unwatching a channel one may not read': {
    frame: () => ({ type: 'channel.unwatch', id: 'uw-private', cid: 'messaging:private' }),
    code: 'not_found',
  },
  'watching while banned': {
    as: 'bob',
    frame: () => ({ type: 'channel.watch', id: 'w-banned', cid: 'messaging:banned' }),
    code: 'user_banned',
  },
  'sending to a channel one is not a member of (and may not read)': {
    frame: () => sendFrame({ text: 'let me in' }, 'messaging:private'),
    code: 'not_found',
  },
  'sending to a livestream one watches but is not a member of': {
    frame: () => sendFrame({ text: 'first!' }, 'livestream:live'),
    code: 'forbidden',
  },
  'sending to a channel that does not exist': {
    frame: () => sendFrame({ text: 'hello?' }, 'team:nowhere'),
    code: 'not_found',
  },
  'sending to a frozen channel': {
    as: 'bob',
    frame: () => sendFrame({ text: 'thaw' }, 'messaging:frozen'),
    code: 'channel_frozen',
  },
  'sending while banned': {
    as: 'bob',
    frame: () => sendFrame({ text: 'unban me' }, 'messaging:banned'),
    code: 'user_banned',
  },
  'typing while banned': {
    as: 'bob',
    frame: () => ({ type: 'typing.start', id: 'typ-banned', cid: 'messaging:banned' }),
    code: 'user_banned',
  },
  'sending as another user': {
    frame: () => sendFrame({ text: 'I am bob', user_id: 'bob' }),
    code: 'forbidden',
  },
  'mentioning a user who does not exist': {
    frame: () => sendFrame({ text: 'hi @ghost', mentioned_user_ids: ['ghost'] }),
    code: 'validation_failed',
    path: ['mentioned_user_ids'],
  },
  'replying to a message of another channel': {
    frame: (f) => sendFrame({ text: 'reply', parent_id: f.otherChannelMessage }),
    code: 'validation_failed',
    path: ['parent_id'],
  },
  'replying to a deleted message': {
    frame: (f) => sendFrame({ text: 'reply', parent_id: f.deletedMessage }),
    code: 'validation_failed',
    path: ['parent_id'],
  },
  'quoting a message that does not exist': {
    frame: () => sendFrame({ text: 'quote', quoted_message_id: uuid() }),
    code: 'validation_failed',
    path: ['quoted_message_id'],
  },
  "editing someone else's message": {
    frame: (f) => ({
      type: 'message.update',
      id: 'edit-bob',
      message_id: f.bobMessage,
      message: { text: 'mine now' },
    }),
    code: 'forbidden',
  },
  'editing a deleted message': {
    frame: (f) => ({
      type: 'message.update',
      id: 'edit-deleted',
      message_id: f.deletedMessage,
      message: { text: 'back' },
    }),
    code: 'conflict',
  },
  'editing a message that does not exist': {
    frame: () => ({ type: 'message.update', id: 'edit-missing', message_id: uuid(), message: { text: 'x' } }),
    code: 'not_found',
  },
  'editing a message of a channel one may not read': {
    frame: (f) => ({
      type: 'message.update',
      id: 'edit-private',
      message_id: f.privateMessage,
      message: { text: 'x' },
    }),
    code: 'not_found',
  },
  'deleting a message that does not exist': {
    frame: () => ({ type: 'message.delete', id: 'del-missing', message_id: uuid() }),
    code: 'not_found',
  },
  "deleting someone else's message as a plain member": {
    as: 'bob',
    frame: (f) => ({ type: 'message.delete', id: 'del-alice', message_id: f.aliceMessage }),
    code: 'forbidden',
  },
  'deleting a message of a channel one may not read': {
    frame: (f) => ({ type: 'message.delete', id: 'del-private', message_id: f.privateMessage }),
    code: 'not_found',
  },
  'reacting to a deleted message': {
    frame: (f) => ({
      type: 'reaction.add',
      id: 'react-deleted',
      message_id: f.deletedMessage,
      reaction_type: 'like',
    }),
    code: 'conflict',
  },
  'reacting to a message that does not exist': {
    frame: () => ({ type: 'reaction.add', id: 'react-missing', message_id: uuid(), reaction_type: 'like' }),
    code: 'not_found',
  },
  'removing a reaction on a message of a channel one may not read': {
    frame: (f) => ({
      type: 'reaction.remove',
      id: 'unreact-private',
      message_id: f.privateMessage,
      reaction_type: 'like',
    }),
    code: 'not_found',
  },
  'read.mark with a message of another channel': {
    frame: (f) => ({
      type: 'read.mark',
      id: 'read-other',
      cid: 'messaging:main',
      message_id: f.otherChannelMessage,
    }),
    code: 'validation_failed',
    path: ['message_id'],
  },
  'read.mark on a channel one may not read': {
    frame: () => ({ type: 'read.mark', id: 'read-private', cid: 'messaging:private' }),
    code: 'not_found',
  },
  'typing on a channel one may not read': {
    frame: () => ({ type: 'typing.start', id: 'typ-private', cid: 'messaging:private' }),
    code: 'not_found',
  },
  'typing on a channel that does not exist': {
    frame: () => ({ type: 'typing.stop', id: 'typ-missing', cid: 'messaging:nowhere' }),
    code: 'not_found',
  },
};

describe('WebSocket bad frames: each answered as documented, nothing stored', () => {
  it.each(Object.entries(badFrames))('%s', async (_name, bad) => {
    const client = await t.connect(bad.as ?? 'alice');
    const before = await snapshot();
    const frame = bad.frame(f);
    const id = knownId(frame);
    const from = client.frames.length;
    if (Buffer.isBuffer(frame)) client.ws.send(frame, { binary: false });
    else client.sendRaw(typeof frame === 'string' ? frame : JSON.stringify(frame));

    const reply = await errorAfter(client, from, id);
    expect(reply.error.code, JSON.stringify(reply.error)).toBe(bad.code);
    expect(reply.id).toBe(id);
    if (bad.path) expectIssue(reply.error, bad.path);
    if (bad.unknownKey) expectUnknownKey(reply.error, ...bad.unknownKey);
    // Nothing but the one error answered it.
    expect(client.frames.slice(from).filter((fr) => fr.type === 'ack')).toEqual([]);

    await expectServed(client);
    expect(await snapshot()).toEqual(before);
  });

  it('counts enough cases', () => {
    expect(Object.keys(badFrames).length).toBeGreaterThanOrEqual(30);
  });

  it('a frame over 64 KiB closes the socket with 1009 (message too big)', async () => {
    const client = await t.connect('alice');
    const before = await snapshot();
    const frame = JSON.stringify(sendFrame({ text: 'z'.repeat(LIMITS.FRAME_BYTES) }));
    expect(Buffer.byteLength(frame)).toBeGreaterThan(LIMITS.FRAME_BYTES);
    client.sendRaw(frame);
    expect(await client.waitForClose()).toBe(CLOSE_CODES.MESSAGE_TOO_BIG);
    expect(client.frames.filter((fr) => fr.type === 'ack')).toHaveLength(1); // the auth's
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['garbage', Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x13, 0x37])],
    [
      'a valid JSON frame',
      Buffer.from(
        JSON.stringify({
          type: 'message.send',
          id: 'bin',
          cid: 'messaging:main',
          message: { client_msg_id: clientId(), text: 'in binary' },
        }),
      ),
    ],
  ])('a binary frame (%s) closes the socket with 1003 (unsupported data), unserved', async (_name, bytes) => {
    const client = await t.connect('alice');
    const before = await snapshot();
    client.ws.send(bytes, { binary: true });
    expect(await client.waitForClose()).toBe(CLOSE_CODES.UNSUPPORTED_DATA);
    expect(client.frames.filter((fr) => fr.type === 'ack')).toHaveLength(1); // the auth's
    expect(await snapshot()).toEqual(before);
  });

  it('a text frame of invalid UTF-8 closes the socket with 1007 (invalid payload)', async () => {
    const client = await t.connect('alice');
    const before = await snapshot();
    client.ws.send(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), { binary: false });
    expect(await client.waitForClose()).toBe(1007);
    expect(await snapshot()).toEqual(before);
  });

  it('the answer to a huge but valid since is a fresh state, not a replay', async () => {
    const client = await t.connect('alice');
    const before = await snapshot();
    const result = await client.ok({
      type: 'channel.watch',
      cid: 'messaging:main',
      since: Number.MAX_SAFE_INTEGER,
    });
    expect(result).toMatchObject({ recovered: false, events: [] });
    expect(result.state.channel.cid).toBe('messaging:main');
    expect(await snapshot()).toEqual(before);
  });
});

describe('WebSocket authentication frames', () => {
  async function anonymous(): Promise<WsClient> {
    return WsClient.open(server.wsUrl, t.app.api_key);
  }

  it('a request before auth is refused with its id, and the socket stays open for the auth', async () => {
    const client = await anonymous();
    try {
      const before = await snapshot();
      const reply = await client.request({
        type: 'message.send',
        cid: 'messaging:main',
        message: { client_msg_id: clientId(), text: 'too early' },
      });
      expect(reply).toMatchObject({ type: 'error', id: '1', error: { code: 'unauthenticated' } });
      expect(await client.request({ type: 'ping' })).toMatchObject({ error: { code: 'unauthenticated' } });
      expect(client.closeCode).toBeNull();
      expect(await snapshot()).toEqual(before);

      const auth = await client.request({
        type: 'auth',
        token: await createUserToken(t.app.api_secret, 'alice'),
      });
      expect(auth).toMatchObject({ type: 'ack', result: { connection_id: expect.any(String) } });
      await client.waitFor((e) => e.type === 'connection.ok');
      await expectServed(client);
    } finally {
      client.close();
    }
  });

  const secretOf = () => new TextEncoder().encode(t.app.api_secret);
  const now = () => Math.floor(Date.now() / 1000);
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  const badTokens: Record<string, { token: () => Promise<string>; code: ErrorCode; close: number }> = {
    'not a JWT': {
      token: async () => 'not-a-jwt',
      code: 'unauthenticated',
      close: CLOSE_CODES.UNAUTHENTICATED,
    },
    'three garbage segments': {
      token: async () => 'a.b.c',
      code: 'unauthenticated',
      close: CLOSE_CODES.UNAUTHENTICATED,
    },
    'a tampered signature': {
      token: async () => `${(await createUserToken(t.app.api_secret, 'alice')).slice(0, -4)}AAAA`,
      code: 'unauthenticated',
      close: CLOSE_CODES.UNAUTHENTICATED,
    },
    expired: {
      token: () =>
        new SignJWT({ user_id: 'alice' })
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .setIssuedAt(now() - 7200)
          .setExpirationTime(now() - 3600)
          .sign(secretOf()),
      code: 'token_expired',
      close: CLOSE_CODES.TOKEN_EXPIRED,
    },
    'alg none': {
      token: async () =>
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ user_id: 'alice', iat: now(), exp: now() + 3600 })}.`,
      code: 'unauthenticated',
      close: CLOSE_CODES.UNAUTHENTICATED,
    },
    'HS512 with the right secret': {
      token: () =>
        new SignJWT({ user_id: 'alice' })
          .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(secretOf()),
      code: 'unauthenticated',
      close: CLOSE_CODES.UNAUTHENTICATED,
    },
    'issued in the future': {
      token: () =>
        new SignJWT({ user_id: 'alice' })
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .setIssuedAt(now() + 3600)
          .setExpirationTime(now() + 7200)
          .sign(secretOf()),
      code: 'unauthenticated',
      close: CLOSE_CODES.UNAUTHENTICATED,
    },
    'without exp': {
      token: () =>
        new SignJWT({ user_id: 'alice' })
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .setIssuedAt()
          .sign(secretOf()),
      code: 'unauthenticated',
      close: CLOSE_CODES.UNAUTHENTICATED,
    },
    "another app's": {
      token: async () => {
        const other = await createTestApp(server.store.db);
        return createUserToken(other.api_secret, 'alice');
      },
      code: 'unauthenticated',
      close: CLOSE_CODES.UNAUTHENTICATED,
    },
    'a server token': {
      token: () => createServerToken(t.app.api_secret),
      code: 'unauthenticated',
      close: CLOSE_CODES.UNAUTHENTICATED,
    },
    'a user id with forbidden characters': {
      token: () =>
        new SignJWT({ user_id: 'alice bob/../' })
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(secretOf()),
      code: 'unauthenticated',
      close: CLOSE_CODES.UNAUTHENTICATED,
    },
  };

  it.each(Object.entries(badTokens))('auth with %s token: error, then close', async (_name, bad) => {
    const client = await anonymous();
    const before = await snapshot();
    const { db } = await getTestStore();
    const users = async () =>
      (await db.selectFrom('app_users').select('external_id').where('app_id', '=', t.app.id).execute())
        .length;
    const usersBefore = await users();
    const reply = await client.request({ type: 'auth', token: await bad.token() });
    expect(reply).toMatchObject({ type: 'error', id: '1', error: { code: bad.code } });
    expect(await client.waitForClose()).toBe(bad.close);
    expect(client.frames.some((fr) => fr.type === 'connection.ok')).toBe(false);
    expect(await snapshot()).toEqual(before);
    expect(await users()).toBe(usersBefore);
  });

  it('a second auth after success is refused, and the socket keeps its user', async () => {
    const client = await t.connect('alice');
    const before = await snapshot();
    const reply = await client.request({
      type: 'auth',
      token: await createUserToken(t.app.api_secret, 'bob'),
    });
    expect(reply).toMatchObject({
      type: 'error',
      id: expect.any(String),
      error: { code: 'validation_failed' },
    });
    await expectServed(client);
    // Still alice: bob's channel "banned" would refuse bob, alice (its admin) may watch it.
    expect(await client.request({ type: 'channel.watch', cid: 'messaging:banned' })).toMatchObject({
      type: 'ack',
    });
    expect(await snapshot()).toEqual(before);
  });
});

describe('WebSocket duplicate sends', () => {
  it('a repeated client_msg_id returns the same message: one row, one message.new', async () => {
    const alice = await t.connect('alice');
    const bob = await t.connect('bob');
    await bob.ok({ type: 'channel.watch', cid: 'messaging:dup' });
    const message = { client_msg_id: clientId(), text: 'only once' };
    const first = await alice.ok({ type: 'message.send', cid: 'messaging:dup', message });
    await waitForEvent(bob, 'message.new', (e) => e.message.id === first.message.id);
    const before = await snapshot();

    const again = await alice.ok({ type: 'message.send', cid: 'messaging:dup', message });
    expect(again.message).toMatchObject({ id: first.message.id, text: 'only once', seq: first.message.seq });
    // A fence: alice's typing is published after anything the repeat could have published.
    await alice.ok({ type: 'typing.start', cid: 'messaging:dup' });
    await waitForEvent(bob, 'typing.start');
    expect(eventsOf(bob, 'message.new')).toHaveLength(1);
    expect(await snapshot()).toEqual(before);
    const { db } = await getTestStore();
    const rows = await db
      .selectFrom('messages')
      .select('id')
      .where('app_id', '=', t.app.id)
      .where('client_msg_id', '=', message.client_msg_id)
      .execute();
    expect(rows).toEqual([{ id: first.message.id }]);
  });

  it('the same client_msg_id sent twice at once stores one message and announces it once', async () => {
    const alice = await t.connect('alice');
    const bob = await t.connect('bob');
    await bob.ok({ type: 'channel.watch', cid: 'messaging:dup2' });
    const message = { client_msg_id: clientId(), text: 'racing' };
    const [a, b] = await Promise.all([
      alice.ok({ type: 'message.send', cid: 'messaging:dup2', message }),
      alice.ok({ type: 'message.send', cid: 'messaging:dup2', message }),
    ]);
    expect(a.message.id).toBe(b.message.id);
    await alice.ok({ type: 'typing.start', cid: 'messaging:dup2' });
    await waitForEvent(bob, 'typing.start');
    expect(eventsOf(bob, 'message.new').map((e) => e.message.id)).toEqual([a.message.id]);
    const { db } = await getTestStore();
    const rows = await db
      .selectFrom('messages')
      .select('id')
      .where('app_id', '=', t.app.id)
      .where('client_msg_id', '=', message.client_msg_id)
      .execute();
    expect(rows).toHaveLength(1);
  });
});

describe('WebSocket floods', () => {
  it('a typing flood is relayed once, then answered rate_limited, then closed with 4008', async () => {
    const watcher = await t.connect('bob');
    await watcher.ok({ type: 'channel.watch', cid: 'messaging:main' });
    const typist = await t.connect('erin');
    const before = await snapshot();

    // Within the frame budget (the auth frame spent one of it): every start answered, one relayed.
    const burst = 20;
    const starts = await Promise.all(
      Array.from({ length: burst }, () => typist.request({ type: 'typing.start', cid: 'messaging:main' })),
    );
    expect(starts.every((reply) => reply.type === 'ack')).toBe(true);

    // Past it: rate_limited, with the request ids, until the invalid-frame budget closes the socket.
    const from = typist.frames.length;
    const flood = FRAMES + INVALID_FRAMES;
    for (let i = 0; i < flood; i++)
      typist.sendRaw(JSON.stringify({ type: 'typing.start', id: `flood-${i}`, cid: 'messaging:main' }));
    expect(await typist.waitForClose()).toBe(CLOSE_CODES.POLICY_VIOLATION);
    const errors = typist.frames.slice(from).filter(isError);
    expect(errors.length).toBeGreaterThan(INVALID_FRAMES);
    expect(errors.length).toBeLessThanOrEqual(INVALID_FRAMES + 2);
    for (const error of errors) {
      expect(error.error.code).toBe('rate_limited');
      expect(error.id).toMatch(/^flood-\d+$/);
      expect(error.error.details?.retry_after_ms).toBeGreaterThan(0);
    }
    // Frames the budget admitted may be answered, or not if the close came first; never all of them.
    expect(typist.frames.slice(from).length).toBeLessThan(flood);

    // The typist's last socket closed, so the server announces the stop: a fence for the watcher.
    await waitForEvent(watcher, 'typing.stop', (e) => e.user.id === 'erin');
    expect(eventsOf(watcher, 'typing.start').filter((e) => e.user.id === 'erin')).toHaveLength(1);
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['an authenticated', true],
    ['an unauthenticated', false],
  ])('repeated non-JSON on %s socket closes it with 4008', async (_name, authenticated) => {
    const client = authenticated ? await t.connect('bob') : await WsClient.open(server.wsUrl, t.app.api_key);
    const before = await snapshot();
    const from = client.frames.length;
    for (let i = 0; i < 30; i++) client.sendRaw(`garbage ${i}`);
    expect(await client.waitForClose()).toBe(CLOSE_CODES.POLICY_VIOLATION);
    const errors = client.frames.slice(from).filter(isError);
    expect(errors.length).toBeGreaterThanOrEqual(INVALID_FRAMES);
    expect(errors.length).toBeLessThanOrEqual(INVALID_FRAMES + 2);
    for (const error of errors) expect(error).toMatchObject({ error: { code: 'invalid_frame' } });
    expect(errors.every((error) => error.id === undefined)).toBe(true);
    expect(await snapshot()).toEqual(before);
  });
});

describe('WebSocket upgrade', () => {
  /** The HTTP status an upgrade is refused with, or 101 when it opens. */
  function upgrade(url: string, headers: Record<string, string> = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => {
        ws.close();
        resolve(101);
      });
      ws.once('unexpected-response', (_req, res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.once('error', reject);
    });
  }
  const urlFor = (s: ChatServer, apiKey: string) => `${s.wsUrl}?api_key=${encodeURIComponent(apiKey)}`;

  it('an api key that does not exist, none, or an absurd one: 401', async () => {
    expect(await upgrade(urlFor(server, 'no-such-key'))).toBe(401);
    expect(await upgrade(server.wsUrl)).toBe(401);
    expect(await upgrade(urlFor(server, 'k'.repeat(300)))).toBe(401);
    expect(await upgrade(urlFor(server, t.app.api_key))).toBe(101);
  });

  it('a disabled application: the socket opens to say app_disabled, then closes with APP_DISABLED', async () => {
    const app = await createTestApp(server.store.db, { is_active: false });
    expect(await upgrade(urlFor(server, app.api_key))).toBe(101);
    const socket = await WsClient.open(server.wsUrl, app.api_key);
    expect(await socket.waitForClose()).toBe(CLOSE_CODES.APP_DISABLED);
    const deleted = await createTestApp(server.store.db, { deleted_at: new Date() });
    expect(await upgrade(urlFor(server, deleted.api_key))).toBe(401);
  });

  it('another path: 404', async () => {
    expect(await upgrade(`${server.url.replace('http', 'ws')}/v1/socket?api_key=${t.app.api_key}`)).toBe(404);
  });

  it('in development, localhost origins pass and others do not', async () => {
    const app = await createTestApp(server.store.db);
    const url = urlFor(server, app.api_key);
    expect(await upgrade(url, { origin: 'http://localhost:5173' })).toBe(101);
    expect(await upgrade(url, { origin: 'http://127.0.0.1:3000' })).toBe(101);
    expect(await upgrade(url, { origin: 'https://evil.example' })).toBe(403);
    expect(await upgrade(url)).toBe(101);
  });

  it('in production, only the allowed origins pass (localhost included)', async () => {
    const production = await createChatServer({
      store: await getTestStore(),
      port: 0,
      host: '127.0.0.1',
      seedDemo: false,
      logLevel: 'silent',
      production: true,
    });
    try {
      const app = await createTestApp(production.store.db, { allowed_origins: ['https://app.example'] });
      const url = urlFor(production, app.api_key);
      expect(await upgrade(url, { origin: 'https://evil.example' })).toBe(403);
      expect(await upgrade(url, { origin: 'http://localhost:5173' })).toBe(403);
      expect(await upgrade(url, { origin: 'https://app.example.evil.example' })).toBe(403);
      expect(await upgrade(url, { origin: 'null' })).toBe(403);
      expect(await upgrade(url, { origin: 'https://app.example' })).toBe(101);
      // Not a browser: no Origin header at all.
      expect(await upgrade(url)).toBe(101);
    } finally {
      await production.close();
    }
  });
});
