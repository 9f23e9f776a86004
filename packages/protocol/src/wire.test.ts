import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode, errorCode, errorResponse, makeError, toErrorIssues } from './errors';
import { expectRejectedAt } from './fixtures';
import { LIMITS } from './limits';
import { customData, parseCid, toCid } from './primitives';
import { parseClientFrame, parseServerFrame, validateInput } from './wire';

const msgId = crypto.randomUUID();
const send = (message: Record<string, unknown>) =>
  JSON.stringify({ type: 'message.send', id: 's1', cid: 'messaging:general', message });
const sendWith = (extra: Record<string, unknown>) => send({ client_msg_id: 'cm-1', text: 'hello', ...extra });
const watch = (extra: Record<string, unknown>) =>
  JSON.stringify({ type: 'channel.watch', id: 'w1', cid: 'messaging:general', ...extra });
const file = (extra: Record<string, unknown> = {}) => ({
  type: 'file',
  url: 'https://f.example/a.pdf',
  ...extra,
});

/** Nested arrays `depth` levels deep, as raw JSON. */
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/**
 * Malformed client frames, each as the raw text a socket delivers, with the exact path every
 * reported issue must point at. Raw text matters for `__proto__`: only JSON.parse produces it as
 * an own key (an object literal would set the prototype instead).
 */
const malformedFrames: { name: string; raw: string; path: (string | number)[]; message?: RegExp }[] = [
  // Unknown keys, including the ones that reach prototypes.
  {
    name: '__proto__ extra key',
    raw: '{"type":"ping","id":"1","__proto__":{"x":1}}',
    path: [],
    message: /Unrecognized key: "__proto__"/,
  },
  {
    name: 'constructor extra key',
    raw: '{"type":"ping","id":"1","constructor":{"prototype":{"x":1}}}',
    path: [],
    message: /Unrecognized key: "constructor"/,
  },
  {
    name: 'prototype extra key',
    raw: '{"type":"ping","id":"1","prototype":1}',
    path: [],
    message: /"prototype"/,
  },
  { name: 'plain extra key', raw: '{"type":"ping","id":"1","admin":true}', path: [], message: /"admin"/ },
  {
    name: '__proto__ inside the message body',
    raw: '{"type":"message.send","id":"1","cid":"messaging:a","message":{"client_msg_id":"c","text":"hi","__proto__":{"user_id":"root"}}}',
    path: ['message'],
    message: /Unrecognized key: "__proto__"/,
  },
  {
    name: 'extra key in an attachment',
    raw: sendWith({ attachments: [file({ onclick: 'x' })] }),
    path: ['message', 'attachments', 0],
    message: /"onclick"/,
  },
  // The envelope: not an object, bad type, bad id.
  { name: 'a JSON array', raw: '[]', path: [], message: /expected object/ },
  { name: 'JSON null', raw: 'null', path: [], message: /expected object/ },
  { name: 'a JSON string', raw: '"ping"', path: [], message: /expected object/ },
  { name: 'unknown type', raw: '{"type":"channel.nuke","id":"1"}', path: ['type'], message: /discriminator/ },
  { name: 'missing type', raw: '{"id":"1"}', path: ['type'] },
  { name: 'numeric type', raw: '{"type":7,"id":"1"}', path: ['type'] },
  { name: 'type in the wrong case', raw: '{"type":"PING","id":"1"}', path: ['type'] },
  { name: 'missing id', raw: '{"type":"ping"}', path: ['id'] },
  { name: 'empty id', raw: '{"type":"ping","id":""}', path: ['id'] },
  { name: 'numeric id', raw: '{"type":"ping","id":1}', path: ['id'], message: /expected string/ },
  { name: 'id over 64 characters', raw: JSON.stringify({ type: 'ping', id: 'x'.repeat(65) }), path: ['id'] },
  // auth
  { name: 'auth without a token', raw: '{"type":"auth","id":"1"}', path: ['token'] },
  { name: 'auth with an empty token', raw: '{"type":"auth","id":"1","token":""}', path: ['token'] },
  {
    name: 'auth with an oversize token',
    raw: JSON.stringify({ type: 'auth', id: '1', token: 't'.repeat(LIMITS.TOKEN_LENGTH + 1) }),
    path: ['token'],
  },
  // since / message_limit
  { name: 'negative since', raw: watch({ since: -1 }), path: ['since'], message: />=0/ },
  { name: 'fractional since', raw: watch({ since: 1.5 }), path: ['since'], message: /int/ },
  {
    name: 'since above MAX_SAFE_INTEGER',
    raw: '{"type":"channel.watch","id":"1","cid":"messaging:a","since":9007199254740993}',
    path: ['since'],
    message: /<=9007199254740991/,
  },
  {
    name: 'since that overflows to Infinity',
    raw: '{"type":"channel.watch","id":"1","cid":"messaging:a","since":1e400}',
    path: ['since'],
  },
  { name: 'since as a string', raw: watch({ since: '10' }), path: ['since'], message: /expected number/ },
  { name: 'since as null', raw: watch({ since: null }), path: ['since'] },
  { name: 'message_limit over the page size', raw: watch({ message_limit: 101 }), path: ['message_limit'] },
  { name: 'negative message_limit', raw: watch({ message_limit: -1 }), path: ['message_limit'] },
  // cids
  { name: 'cid without a type', raw: watch({ cid: 'general' }), path: ['cid'], message: /type:id/ },
  { name: 'cid with an unknown type', raw: watch({ cid: 'private:general' }), path: ['cid'] },
  { name: 'cid with an empty id', raw: watch({ cid: 'messaging:' }), path: ['cid'] },
  { name: 'cid with a space', raw: watch({ cid: 'messaging:gen eral' }), path: ['cid'] },
  { name: 'cid with two colons', raw: watch({ cid: 'messaging:a:b' }), path: ['cid'] },
  { name: 'cid with a 65-character id', raw: watch({ cid: `team:${'c'.repeat(65)}` }), path: ['cid'] },
  { name: 'cid as a number', raw: watch({ cid: 42 }), path: ['cid'] },
  { name: 'missing cid', raw: '{"type":"channel.unwatch","id":"1"}', path: ['cid'] },
  // uuids
  {
    name: 'message_id that is not a uuid',
    raw: '{"type":"message.delete","id":"1","message_id":"msg-42"}',
    path: ['message_id'],
    message: /UUID/,
  },
  {
    name: 'message_id uuid with a trailing character',
    raw: JSON.stringify({ type: 'message.delete', id: '1', message_id: `${msgId}0` }),
    path: ['message_id'],
  },
  {
    name: 'read.mark with a numeric message_id',
    raw: '{"type":"read.mark","id":"1","cid":"messaging:a","message_id":12}',
    path: ['message_id'],
  },
  {
    name: 'typing.start with a bad parent_id',
    raw: '{"type":"typing.start","id":"1","cid":"messaging:a","parent_id":"not-a-uuid"}',
    path: ['parent_id'],
  },
  {
    name: 'send with a bad quoted_message_id',
    raw: sendWith({ quoted_message_id: '123' }),
    path: ['message', 'quoted_message_id'],
  },
  // message text
  {
    name: `text over ${LIMITS.MESSAGE_TEXT_LENGTH} characters`,
    raw: sendWith({ text: 'a'.repeat(LIMITS.MESSAGE_TEXT_LENGTH + 1) }),
    path: ['message', 'text'],
    message: /<=5000/,
  },
  {
    name: 'text with a lone high surrogate',
    raw: send({ client_msg_id: 'c', text: 'broken \ud800 emoji' }),
    path: ['message', 'text'],
    message: /lone surrogates/,
  },
  {
    name: 'text with a lone low surrogate (escaped in the JSON)',
    raw: '{"type":"message.send","id":"1","cid":"messaging:a","message":{"client_msg_id":"c","text":"x\\udc00"}}',
    path: ['message', 'text'],
    message: /lone surrogates/,
  },
  {
    name: 'text with a NUL character',
    raw: '{"type":"message.send","id":"1","cid":"messaging:a","message":{"client_msg_id":"c","text":"a\\u0000b"}}',
    path: ['message', 'text'],
    message: /NUL/,
  },
  {
    name: 'numeric text',
    raw: sendWith({ text: 42 }),
    path: ['message', 'text'],
    message: /expected string/,
  },
  {
    name: 'an empty message',
    raw: send({ client_msg_id: 'c' }),
    path: ['message', 'text'],
    message: /needs text or at least one attachment/,
  },
  {
    name: 'whitespace-only text and no attachments',
    raw: send({ client_msg_id: 'c', text: ' \n\t ' }),
    path: ['message', 'text'],
    message: /needs text/,
  },
  {
    name: 'empty text and an empty attachment list',
    raw: send({ client_msg_id: 'c', text: '', attachments: [] }),
    path: ['message', 'text'],
    message: /needs text/,
  },
  {
    name: 'message as a string',
    raw: JSON.stringify({ type: 'message.send', id: '1', cid: 'team:a', message: 'hi' }),
    path: ['message'],
  },
  { name: 'missing client_msg_id', raw: send({ text: 'hi' }), path: ['message', 'client_msg_id'] },
  {
    name: 'client_msg_id with a space',
    raw: sendWith({ client_msg_id: 'a b' }),
    path: ['message', 'client_msg_id'],
  },
  // attachments
  {
    name: `more than ${LIMITS.ATTACHMENTS_PER_MESSAGE} attachments`,
    raw: sendWith({ attachments: Array.from({ length: 11 }, () => file()) }),
    path: ['message', 'attachments'],
    message: /<=10/,
  },
  {
    name: 'a javascript: attachment url',
    raw: sendWith({ attachments: [file({ url: 'javascript:alert(document.cookie)' })] }),
    path: ['message', 'attachments', 0, 'url'],
  },
  {
    name: 'a JaVaScRiPt: attachment url with spaces',
    raw: sendWith({ attachments: [file(), file({ url: ' JaVaScRiPt:alert(1)' })] }),
    path: ['message', 'attachments', 1, 'url'],
  },
  {
    name: 'a data: attachment url',
    raw: sendWith({ attachments: [file({ url: 'data:text/html;base64,PHNjcmlwdD4=' })] }),
    path: ['message', 'attachments', 0, 'url'],
  },
  {
    name: 'a relative attachment url',
    raw: sendWith({ attachments: [file({ url: '/uploads/a.pdf' })] }),
    path: ['message', 'attachments', 0, 'url'],
  },
  {
    name: 'an ftp: thumb_url',
    raw: sendWith({ attachments: [file({ thumb_url: 'ftp://f.example/t.png' })] }),
    path: ['message', 'attachments', 0, 'thumb_url'],
  },
  {
    name: 'an attachment url over the URL limit',
    raw: sendWith({ attachments: [file({ url: `https://f.example/${'a'.repeat(LIMITS.URL_LENGTH)}` })] }),
    path: ['message', 'attachments', 0, 'url'],
  },
  {
    name: 'an unknown attachment type',
    raw: sendWith({ attachments: [file({ type: 'gif' })] }),
    path: ['message', 'attachments', 0, 'type'],
  },
  {
    name: 'an uploaded file with fields of its own',
    raw: sendWith({ attachments: [{ upload_id: crypto.randomUUID(), url: 'https://f.example/x.png' }] }),
    path: ['message', 'attachments', 0, 'url'],
    message: /takes only its upload_id/,
  },
  {
    name: 'an upload_id that is not a uuid',
    raw: sendWith({ attachments: [{ upload_id: '../other-app/x' }] }),
    path: ['message', 'attachments', 0, 'upload_id'],
  },
  {
    name: 'a linked file without a url',
    raw: sendWith({ attachments: [{ type: 'file', name: 'a.pdf' }] }),
    path: ['message', 'attachments', 0, 'url'],
    message: /Required for a linked file/,
  },
  {
    name: 'a negative attachment file_size',
    raw: sendWith({ attachments: [file({ file_size: -1 })] }),
    path: ['message', 'attachments', 0, 'file_size'],
  },
  {
    name: 'a mime_type that is not type/subtype',
    raw: sendWith({ attachments: [file({ mime_type: 'pdf' })] }),
    path: ['message', 'attachments', 0, 'mime_type'],
  },
  // mentions
  {
    name: `more than ${LIMITS.MENTIONS_PER_MESSAGE} mentions`,
    raw: sendWith({ mentioned_user_ids: Array.from({ length: 51 }, (_, i) => `u${i}`) }),
    path: ['message', 'mentioned_user_ids'],
  },
  {
    name: 'a mention with a bad user id',
    raw: sendWith({ mentioned_user_ids: ['ok', 'not ok'] }),
    path: ['message', 'mentioned_user_ids', 1],
  },
  // custom data
  {
    name: 'custom data with a __proto__ key',
    raw: '{"type":"message.send","id":"1","cid":"messaging:a","message":{"client_msg_id":"c","text":"hi","custom":{"__proto__":{"isAdmin":true}}}}',
    path: ['message', 'custom', '__proto__'],
    message: /Key "__proto__" is not allowed/,
  },
  {
    name: 'custom data with a nested __proto__ key',
    raw: '{"type":"message.send","id":"1","cid":"messaging:a","message":{"client_msg_id":"c","text":"hi","custom":{"a":[1,{"__proto__":{"x":1}}]}}}',
    path: ['message', 'custom', 'a', 1, '__proto__'],
    message: /Key "__proto__" is not allowed/,
  },
  {
    name: 'custom data with a constructor key',
    raw: sendWith({ custom: { constructor: { prototype: { x: 1 } } } }),
    path: ['message', 'custom', 'constructor'],
    message: /Key "constructor" is not allowed/,
  },
  {
    name: 'custom data with a nested prototype key',
    raw: sendWith({ custom: { a: { prototype: 1 } } }),
    path: ['message', 'custom', 'a', 'prototype'],
  },
  {
    name: `custom data over ${LIMITS.CUSTOM_DATA_BYTES} bytes`,
    raw: sendWith({ custom: { blob: 'x'.repeat(LIMITS.CUSTOM_DATA_BYTES) } }),
    path: ['message', 'custom'],
    message: /at most 5120 bytes/,
  },
  {
    name: 'custom data over the byte limit in multi-byte characters',
    raw: sendWith({ custom: { blob: '漢'.repeat(2_000) } }),
    path: ['message', 'custom'],
    message: /bytes/,
  },
  {
    name: 'custom data nested too deep (which would overflow the stack)',
    raw: sendWith({ custom: { a: 'DEEP' } }).replace('"DEEP"', nested(5_000)),
    path: ['message', 'custom', 'a', ...Array<number>(LIMITS.CUSTOM_DATA_DEPTH - 1).fill(0)],
    message: /nested at most 32 levels/,
  },
  {
    name: 'a custom key over 64 characters',
    raw: sendWith({ custom: { ['k'.repeat(65)]: 1 } }),
    path: ['message', 'custom', 'k'.repeat(65)],
  },
  { name: 'custom data as an array', raw: sendWith({ custom: [1, 2] }), path: ['message', 'custom'] },
  // message.update and reactions
  {
    name: 'an update that changes nothing',
    raw: JSON.stringify({ type: 'message.update', id: '1', message_id: msgId, message: {} }),
    path: ['message'],
    message: /at least one field/,
  },
  {
    name: 'an update with oversize text',
    raw: JSON.stringify({
      type: 'message.update',
      id: '1',
      message_id: msgId,
      message: { text: 'b'.repeat(5_001) },
    }),
    path: ['message', 'text'],
  },
  {
    name: 'an empty reaction type',
    raw: JSON.stringify({ type: 'reaction.add', id: '1', message_id: msgId, reaction_type: '' }),
    path: ['reaction_type'],
  },
  {
    name: 'a reaction type over 32 characters',
    raw: JSON.stringify({
      type: 'reaction.remove',
      id: '1',
      message_id: msgId,
      reaction_type: 'r'.repeat(33),
    }),
    path: ['reaction_type'],
  },
  {
    name: 'a reaction type with a NUL',
    raw: JSON.stringify({ type: 'reaction.add', id: '1', message_id: msgId, reaction_type: 'ok\u0000' }),
    path: ['reaction_type'],
    message: /NUL/,
  },
];

describe('parseClientFrame rejects malformed frames with the exact issue path', () => {
  it('covers at least 40 distinct malformed inputs', () => {
    expect(new Set(malformedFrames.map((c) => c.raw)).size).toBe(malformedFrames.length);
    expect(malformedFrames.length).toBeGreaterThanOrEqual(40);
  });

  it.each(malformedFrames)('$name', ({ raw, path, message }) => {
    expectRejectedAt(parseClientFrame(raw), path, message);
  });

  it('reports every problem of a frame, not just the first', () => {
    const result = parseClientFrame(send({ client_msg_id: 'a b', text: 'x\u0000', parent_id: 'nope' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.details?.issues?.map((i) => i.path)).toEqual(
      expect.arrayContaining([
        ['message', 'client_msg_id'],
        ['message', 'text'],
        ['message', 'parent_id'],
      ]),
    );
  });

  it('does not let a __proto__ key change any prototype', () => {
    parseClientFrame('{"type":"ping","id":"1","__proto__":{"polluted":true}}');
    parseClientFrame(sendWith({}).replace('"text"', '"custom":{"__proto__":{"polluted":true}},"text"'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('attachments', () => {
  it('takes an uploaded file by its id alone', () => {
    const frame = parseClientFrame(sendWith({ attachments: [{ upload_id: crypto.randomUUID() }] }));
    expect(frame.ok).toBe(true);
  });
});

describe('parseClientFrame: JSON and size', () => {
  const invalidJson: [string, string | Uint8Array][] = [
    ['an empty frame', ''],
    ['unquoted keys', '{type:"ping",id:"1"}'],
    ['a truncated object', '{"type":"ping","id":'],
    ['single quotes', "{'type':'ping','id':'1'}"],
    ['a trailing comma', '{"type":"ping","id":"1",}'],
    ['plain text', 'ping'],
    ['bytes that are not UTF-8', new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
  ];

  it.each(invalidJson)('rejects %s as invalid_frame', (_name, data) => {
    expect(parseClientFrame(data)).toEqual({
      ok: false,
      error: { code: 'invalid_frame', message: expect.any(String), status: 400, retryable: false },
    });
  });

  const padded = (bytes: number) => {
    const frame = '{"type":"ping","id":"1"}';
    return frame + ' '.repeat(bytes - frame.length);
  };

  it('accepts a frame of exactly 64 KiB', () => {
    expect(padded(LIMITS.FRAME_BYTES)).toHaveLength(65_536);
    expect(parseClientFrame(padded(LIMITS.FRAME_BYTES))).toEqual({
      ok: true,
      value: { type: 'ping', id: '1' },
    });
  });

  it.each([
    ['one byte over 64 KiB', padded(LIMITS.FRAME_BYTES + 1)],
    ['a 1 MiB text message', sendWith({ text: 'a'.repeat(1024 * 1024) })],
    ['64 KiB of bytes', new TextEncoder().encode(padded(LIMITS.FRAME_BYTES + 1))],
    // 30,000 characters, but 90,000 bytes of UTF-8: the limit counts bytes.
    ['multi-byte text over 64 KiB of UTF-8', sendWith({ text: '€'.repeat(30_000) })],
    ['oversize garbage that is not even JSON', '{'.repeat(LIMITS.FRAME_BYTES + 1)],
  ])('rejects %s as payload_too_large (413)', (_name, data) => {
    expect(parseClientFrame(data)).toEqual({
      ok: false,
      error: {
        code: 'payload_too_large',
        message: expect.stringContaining('65536'),
        status: 413,
        retryable: false,
      },
    });
  });
});

describe('parseServerFrame', () => {
  it('parses acks and errors, with and without a request id', () => {
    const error = makeError('rate_limited', 'Slow down', { retry_after_ms: 1500 });
    const frames = [
      { type: 'ack', id: '4', result: { message: null } },
      { type: 'error', id: '4', error },
      { type: 'error', error: makeError('token_expired', 'Token expired') },
    ];
    for (const frame of frames) {
      const first = parseServerFrame(JSON.stringify(frame));
      expect(first).toEqual({ ok: true, value: frame });
      expect(parseServerFrame(JSON.stringify(first.ok && first.value))).toEqual(first);
    }
  });

  it.each([
    [
      'an error with an unknown code',
      { type: 'error', error: { ...makeError('internal', 'x'), code: 'oops' } },
      ['error', 'code'],
    ],
    [
      'an error without a status',
      { type: 'error', error: { code: 'internal', message: 'x', retryable: true } },
      ['error', 'status'],
    ],
    ['an ack without an id', { type: 'ack', result: {} }, ['id']],
    ['an unknown frame type', { type: 'pong' }, ['type']],
  ])('rejects %s', (_name, frame, path) => {
    expectRejectedAt(parseServerFrame(JSON.stringify(frame)), path);
  });
});

describe('errors', () => {
  const codes = Object.keys(ERROR_CODES) as ErrorCode[];

  it.each(codes)('makeError(%s) takes status and retryable from ERROR_CODES', (code) => {
    const { status, retryable } = ERROR_CODES[code];
    const body = makeError(code, 'Something happened');
    expect(body).toEqual({ code, message: 'Something happened', status, retryable });
    expect(body).not.toHaveProperty('details');
    expect(errorResponse.parse(JSON.parse(JSON.stringify({ error: body })))).toEqual({ error: body });
  });

  it('gives the documented status and retryability per code', () => {
    const table = Object.fromEntries(
      codes.map((c) => [c, [ERROR_CODES[c].status, ERROR_CODES[c].retryable]]),
    );
    expect(table).toEqual({
      validation_failed: [400, false],
      invalid_frame: [400, false],
      unauthenticated: [401, false],
      token_expired: [401, true],
      app_disabled: [403, false],
      invite_unusable: [410, false],
      invalid_api_key: [401, false],
      invalid_credentials: [401, false],
      refresh_token_reused: [401, false],
      forbidden: [403, false],
      channel_frozen: [403, false],
      user_banned: [403, false],
      message_rejected: [403, false],
      message_blocked: [422, false],
      upload_refused: [422, false],
      registration_closed: [403, false],
      not_found: [404, false],
      conflict: [409, false],
      request_timeout: [408, true],
      payload_too_large: [413, false],
      rate_limited: [429, true],
      slow_mode: [429, true],
      // User safety.
      user_blocked: [403, false],
      app_banned: [403, false],
      timed_out: [403, false],
      internal: [500, true],
      unavailable: [503, true],
    });
    expect(errorCode.options).toEqual(codes);
  });

  it('matches the table in the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const rows = [...readme.matchAll(/^\| `(\w+)` +\| (\d{3}) +\| (yes|no) +\| (.+?) +\|$/gm)];
    expect(
      Object.fromEntries(
        rows.map(([, code, status, retryable, description]) => [
          code,
          [Number(status), retryable === 'yes', description],
        ]),
      ),
    ).toEqual(
      Object.fromEntries(
        codes.map((c) => [c, [ERROR_CODES[c].status, ERROR_CODES[c].retryable, ERROR_CODES[c].description]]),
      ),
    );
  });

  it('keeps details, including extra keys', () => {
    const details = { issues: [{ path: ['text'], message: 'Too long' }], retry_after_ms: 10, limit: 5 };
    expect(makeError('validation_failed', 'Bad', details)).toEqual({
      code: 'validation_failed',
      message: 'Bad',
      status: 400,
      retryable: false,
      details,
    });
  });

  it('toErrorIssues keeps paths and messages', () => {
    const result = errorResponse.safeParse({ error: { code: 'nope' } });
    expect(result.success).toBe(false);
    if (result.success) return;
    const issues = toErrorIssues(result.error);
    expect(issues.map((i) => i.path)).toEqual([
      ['error', 'code'],
      ['error', 'message'],
      ['error', 'status'],
      ['error', 'retryable'],
    ]);
    expect(issues.every((i) => typeof i.message === 'string' && i.message.length > 0)).toBe(true);
  });
});

describe('cids', () => {
  it.each([
    ['messaging', 'general'],
    ['team', 'eng_platform-2'],
    ['livestream', '!members-abc'],
    ['messaging', 'x'.repeat(64)],
  ] as const)('toCid(%s, %s) and parseCid invert each other', (type, id) => {
    const value = toCid(type, id);
    expect(value).toBe(`${type}:${id}`);
    expect(parseCid(value)).toEqual({ type, id });
  });

  it.each([
    '',
    'general',
    ':general',
    'messaging:',
    'messaging:a:b',
    'private:general',
    'Messaging:general',
    'messaging:gen eral',
    'messaging:général',
    `messaging:${'x'.repeat(65)}`,
    'messaging:a\u0000',
  ])('parseCid(%j) throws a TypeError', (value) => {
    expect(() => parseCid(value)).toThrow(TypeError);
  });

  it.each([
    ['messaging', ''],
    ['messaging', 'a:b'],
    ['team', 'with space'],
    ['team', 'x'.repeat(65)],
    ['private', 'general'],
  ])('toCid(%j, %j) throws a TypeError', (type, id) => {
    expect(() => toCid(type as never, id)).toThrow(TypeError);
  });
});

describe('customData bounds', () => {
  const withDepth = (levels: number) => JSON.parse(`{"a":${nested(levels - 1)}}`);

  it(`accepts exactly ${LIMITS.CUSTOM_DATA_DEPTH} levels and refuses one more`, () => {
    expect(validateInput(customData, withDepth(LIMITS.CUSTOM_DATA_DEPTH)).ok).toBe(true);
    expectRejectedAt(
      validateInput(customData, withDepth(LIMITS.CUSTOM_DATA_DEPTH + 1)),
      ['a', ...Array<number>(LIMITS.CUSTOM_DATA_DEPTH - 1).fill(0)],
      /nested at most/,
    );
  });

  it(`accepts exactly ${LIMITS.CUSTOM_DATA_BYTES} bytes of JSON and refuses one more`, () => {
    const filler = (bytes: number) => ({ b: 'x'.repeat(bytes - '{"b":""}'.length) });
    expect(new TextEncoder().encode(JSON.stringify(filler(LIMITS.CUSTOM_DATA_BYTES))).byteLength).toBe(5_120);
    expect(validateInput(customData, filler(LIMITS.CUSTOM_DATA_BYTES)).ok).toBe(true);
    expectRejectedAt(validateInput(customData, filler(LIMITS.CUSTOM_DATA_BYTES + 1)), [], /bytes/);
  });

  it('reports a forbidden key by its path, and leaves ordinary keys alone', () => {
    expectRejectedAt(validateInput(customData, JSON.parse('{"__proto__":null}')), ['__proto__']);
    expectRejectedAt(validateInput(customData, { list: [{ ok: 1 }, { prototype: {} }] }), [
      'list',
      1,
      'prototype',
    ]);
    const fine = { proto: 1, constructors: ['a'], nested: { __proto: true } };
    expect(validateInput(customData, fine)).toEqual({ ok: true, value: fine });
  });
});
