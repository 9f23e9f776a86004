import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { clientFrames, expectRejectedAt } from './fixtures';
import { customData, httpUrl } from './primitives';
import { createChannelBody } from './rest/channels';
import { endpoints } from './rest/endpoints';
import { sendMessageBody } from './rest/messages';
import { upsertUsersBody } from './rest/users';
import { findUnsafeText } from './unsafe-text';
import { parseClientFrame, validateInput } from './wire';

/**
 * NUL and lone surrogates are refused wherever client input enters (a REST request's params,
 * query and body, a socket frame), at any depth and in object keys, so that none reaches the
 * database, where PostgreSQL refuses it with an error the client would see as a 500.
 */

type Path = (string | number)[];

const UNSAFE = {
  NUL: 'a\u0000b',
  'a lone high surrogate': 'half \ud800 a pair',
  'a lone low surrogate': '\udc00',
  'a pair in the wrong order': '\udc00\ud800',
} as const;

/** Text that looks odd but is valid Unicode, so it must pass. */
const ODD_BUT_FINE = [
  '👩‍👩‍👧 family',
  '\ufeffleading byte-order mark',
  'right-to-left \u202eevil\u202c mark',
  '\u200f\u200e marks',
  'e\u0301 combining',
  '\ud83d\ude00 a proper pair',
  '\u0001 control',
  '',
];

/** The path of every string and every object key in a JSON value. */
function stringPaths(value: unknown, path: Path = []): { path: Path; key: boolean }[] {
  if (typeof value === 'string') return [{ path, key: false }];
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);
  return entries.flatMap(([key, item]) => [
    ...(typeof key === 'string' ? [{ path: [...path, key], key: true }] : []),
    ...stringPaths(item, [...path, key]),
  ]);
}

/** A copy of `value` with the string at `path` replaced, or the key at `path` renamed, to `text`. */
function replaced(value: unknown, path: Path, text: string, key: boolean): { value: unknown; at: Path } {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (!key) {
    parent[last] = text;
    return { value: copy, at: path };
  }
  const renamed = `${String(last)}${text}`;
  parent[renamed] = parent[last];
  delete parent[last];
  return { value: copy, at: [...path.slice(0, -1), renamed] };
}

describe('findUnsafeText', () => {
  it.each(Object.entries(UNSAFE))('finds %s in a value and in a key, at any depth', (_name, text) => {
    const value = { a: [1, { b: text }], [`k${text}`]: { ignored: text } };
    expect(findUnsafeText(value).map((issue) => issue.path)).toEqual([['a', 1, 'b'], [`k${text}`]]);
  });

  it('accepts valid Unicode however odd it looks', () => {
    expect(
      findUnsafeText({ list: ODD_BUT_FINE, keys: Object.fromEntries(ODD_BUT_FINE.map((s) => [s, s])) }),
    ).toEqual([]);
  });

  it('walks input nested far deeper than the call stack allows', () => {
    const depth = 200_000;
    const value = JSON.parse(`${'['.repeat(depth)}"\\u0000"${']'.repeat(depth)}`);
    const [issue] = findUnsafeText(value);
    expect(issue?.path).toHaveLength(depth);
  });

  it('reports at most 20 issues, in document order', () => {
    const issues = findUnsafeText(Array.from({ length: 1_000 }, () => '\u0000'));
    expect(issues.map((issue) => issue.path)).toEqual(Array.from({ length: 20 }, (_, i) => [i]));
  });
});

describe('client frames refuse unsafe text in every string and key', () => {
  const cases = Object.values(clientFrames).flatMap((frame) =>
    stringPaths(frame)
      // The discriminator must stay a known type (a changed one is refused as unknown instead).
      .filter(({ path, key }) => !(path.length === 1 && path[0] === 'type' && !key))
      .flatMap(({ path, key }) =>
        Object.entries(UNSAFE).map(([name, text]) => ({
          type: frame.type,
          name: `${frame.type} ${key ? 'key' : 'value'} ${path.join('.')}: ${name}`,
          ...replaced(frame, path, text, key),
        })),
      ),
  );

  it('covers every frame type', () => {
    expect([...new Set(cases.map((c) => c.type))].sort()).toEqual(Object.keys(clientFrames).sort());
  });

  it.each(cases)('$name', ({ value, at }) => {
    const result = parseClientFrame(JSON.stringify(value));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: 'validation_failed', status: 400 });
    expect(result.error.details?.issues?.map((issue) => issue.path)).toContainEqual(at);
  });
});

describe('REST input refuses unsafe text', () => {
  it.each(Object.entries(UNSAFE))(
    'in custom keys and values of messages, channels and users: %s',
    (_n, text) => {
      const message = { client_msg_id: 'c1', text: 'hi' };
      expectRejectedAt(validateInput(sendMessageBody, { ...message, custom: { [text]: 1 } }), [
        'custom',
        text,
      ]);
      expectRejectedAt(validateInput(sendMessageBody, { ...message, custom: { deep: [{ v: text }] } }), [
        'custom',
        'deep',
        0,
        'v',
      ]);
      expectRejectedAt(validateInput(createChannelBody, { type: 'team', id: 'x', custom: { topic: text } }), [
        'custom',
        'topic',
      ]);
      expectRejectedAt(
        validateInput(upsertUsersBody, { users: [{ id: 'u', custom: { [`k${text}`]: 'v' } }] }),
        ['users', 0, 'custom', `k${text}`],
      );
    },
  );

  it.each(Object.entries(UNSAFE))('in a user search, a cursor and a refresh token: %s', (_n, text) => {
    expectRejectedAt(validateInput(endpoints.queryUsers.query, { q: text }), ['q']);
    expectRejectedAt(validateInput(endpoints.search.query, { query: 'x', cursor: text }), ['cursor']);
    expectRejectedAt(validateInput(endpoints.refresh.body, { refresh_token: `${'r'.repeat(16)}${text}` }), [
      'refresh_token',
    ]);
  });

  it('in a url, which the URL parser would have accepted', () => {
    expectRejectedAt(validateInput(httpUrl, 'https://cdn.example/a\u0000.png'), []);
    expectRejectedAt(validateInput(httpUrl, 'https://cdn.example/\ud800.png'), []);
  });

  it('in a field whose schema has no refinement of its own, such as one added later', () => {
    const future = z.strictObject({ note: z.string(), data: z.json() });
    expectRejectedAt(validateInput(future, { note: '\u0000', data: { x: 1 } }), ['note']);
    expectRejectedAt(validateInput(future, { note: 'ok', data: { list: ['\ud800'] } }), ['data', 'list', 0]);
    // An unknown key is refused by the strict object too; the unsafe one is also named by its path.
    const unknown = validateInput(future, { note: 'ok', data: {}, '\u0000': 1 });
    expect(unknown.ok || unknown.error.details?.issues).toContainEqual({
      path: ['\u0000'],
      message: 'Must not contain NUL characters',
    });
  });

  it('reports the schema problems too, each issue once', () => {
    const result = validateInput(sendMessageBody, { client_msg_id: 'c1', text: '\u0000', attachments: 'x' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.details?.issues).toEqual([
      { path: ['text'], message: 'Must not contain NUL characters' },
      { path: ['attachments'], message: expect.stringMatching(/expected array/) },
    ]);
  });

  it('accepts valid Unicode however odd it looks, in text and custom data', () => {
    for (const text of ODD_BUT_FINE.filter((s) => s.trim() !== '')) {
      const body = { client_msg_id: 'c1', text, custom: { [text || 'k']: text } };
      expect(validateInput(sendMessageBody, body)).toEqual({ ok: true, value: body });
    }
  });
});

describe('the schemas themselves refuse unsafe text, for callers that parse without validateInput', () => {
  it.each(Object.entries(UNSAFE))('%s', (_name, text) => {
    expect(customData.safeParse({ [text]: 1 }).success).toBe(false);
    expect(customData.safeParse({ a: { b: [text] } }).success).toBe(false);
    expect(sendMessageBody.safeParse({ client_msg_id: 'c', text: 'hi', custom: { a: text } }).success).toBe(
      false,
    );
    expect(httpUrl.safeParse(`https://cdn.example/${text}`).success).toBe(false);
    expect(endpoints.queryUsers.query.safeParse({ q: text }).success).toBe(false);
    expect(endpoints.login.body.safeParse({ username: 'alice', password: `password${text}` }).success).toBe(
      false,
    );
  });
});
