import {
  type ClientFrameType,
  type Endpoint,
  type EndpointName,
  endpoints,
  validateInput,
} from '@chat/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FRAME_ENCODINGS, frameCases, frameIdPaths, frameSchema } from './hostile/frame-mutations';
import { FRAME_ECHOES, runFrameCase, SocketPool } from './hostile/frame-run';
import { CANARY, nearMisses, SPECIAL_TEXT, type ValueRecipe } from './hostile/hostile-values';
import { encodeComponent, sendHttp } from './hostile/http-request';
import { idKindAt, ownersOf } from './hostile/id-kinds';
import { getAt, isUnsafe } from './hostile/json-paths';
import {
  AUTH_VARIANTS,
  BODY_VARIANTS,
  ENCODING_VARIANTS,
  idKindIn,
  idPaths,
  type Location,
  restCases,
} from './hostile/rest-mutations';
import { REST_ECHOES, runRestCase } from './hostile/rest-run';
import { type RunContext, StateTracker } from './hostile/run-context';
import { ANY_KEY, type Field, type Path, schemaFields } from './hostile/schema-paths';
import { validFrames, validRestInputs } from './hostile/valid-inputs';
import { createWorld, frameTypeNames } from './hostile/world';

/**
 * Hostile input, generated from the protocol: every REST endpoint of the endpoint table and
 * every client frame type gets mutations of a valid input (wrong types, missing and extra
 * fields, huge strings and arrays, NUL, lone surrogates, BOMs, RTL marks, emoji, deep nesting,
 * numbers out of range, `__proto__` keys, ids of another app's data or of a channel the caller
 * cannot read, bad path params and query strings, wrong content types, malformed JSON), and each
 * answer is judged as a user would see it (see hostile/rest-run.ts and hostile/frame-run.ts).
 *
 * Runs are bounded for `npm test`; CHAT_FUZZ_RUNS=2000 runs longer. A failure prints fast-check's
 * seed and path: CHAT_FUZZ_SEED=<seed> CHAT_FUZZ_PATH=<path> replays it.
 */

const RUNS = Number(process.env.CHAT_FUZZ_RUNS ?? 12);
const replay = {
  ...(process.env.CHAT_FUZZ_SEED && { seed: Number(process.env.CHAT_FUZZ_SEED) }),
  ...(process.env.CHAT_FUZZ_PATH && { path: process.env.CHAT_FUZZ_PATH }),
};
/** Each property gets time in proportion to its runs (a case takes a few milliseconds to ~100). */
const TIMEOUT = Math.max(30_000, RUNS * 250);

const ENDPOINTS = Object.keys(endpoints) as EndpointName[];
const FRAME_TYPES = frameTypeNames();

let ctx: RunContext;
let pool: SocketPool;

/** Runs every case of a deterministic sweep and fails with all the failing ones, not just the first. */
async function sweep(cases: (() => Promise<void>)[]): Promise<void> {
  const failures: string[] = [];
  for (const run of cases) {
    try {
      await run();
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  expect(failures, failures.join('\n\n')).toEqual([]);
  expect(cases.length).toBeGreaterThan(0);
}

beforeAll(async () => {
  const w = await createWorld();
  ctx = { w, state: new StateTracker(w) };
  pool = new SocketPool(w);
}, 60_000);

afterAll(async () => {
  await pool?.close();
  await ctx?.w.close();
});

describe('coverage', () => {
  it('has a valid input for every endpoint of the protocol table and every client frame type', () => {
    expect(Object.keys(validRestInputs).sort()).toEqual([...ENDPOINTS].sort());
    expect(Object.keys(validFrames).sort()).toEqual([...FRAME_TYPES].sort());
  });

  it('starts every mutation from an input the server accepts', async () => {
    for (const name of ENDPOINTS) {
      const input = validRestInputs[name](ctx.w);
      const def: Endpoint = endpoints[name];
      for (const where of ['params', 'query', 'body'] as const) {
        const schema = def[where];
        if (schema)
          expect(validateInput(schema, input[where]), `${name} ${where}`).toMatchObject({ ok: true });
      }
      const answer = await sendHttp(ctx.w.server.url, {
        method: def.method,
        target: `${def.path.replace(/\{(\w+)\}/g, (_, key: string) => encodeComponent(input.params[key]!))}${
          Object.keys(input.query).length
            ? `?${new URLSearchParams(input.query as Record<string, string>)}`
            : ''
        }`,
        headers: {
          'x-api-key': ctx.w.a.api_key,
          ...(input.actor !== 'anonymous' && { authorization: `Bearer ${ctx.w.tokens[input.actor]}` }),
          ...(input.body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(input.body !== undefined && { body: JSON.stringify(input.body) }),
      });
      expect(answer?.status, `${name}: ${answer?.text}`).toBeLessThan(300);
    }
    const socket = await pool.authenticated();
    for (const type of FRAME_TYPES.filter((t) => t !== 'auth')) {
      const { id: _, ...frame } = validFrames[type](ctx.w, 'unused');
      expect(await socket.request(frame as never), type).toMatchObject({ type: 'ack' });
    }
    ctx.state.invalidate();
  });
});

describe('REST: generated hostile inputs', () => {
  it.each(ENDPOINTS)(
    '%s',
    async (name) => {
      const sample = validRestInputs[name](ctx.w);
      await fc.assert(
        fc.asyncProperty(restCases(name, sample), (c) => runRestCase(ctx, c)),
        { numRuns: RUNS, ...replay },
      );
    },
    TIMEOUT,
  );
});

describe('WebSocket: generated hostile frames', () => {
  it.each(FRAME_TYPES)(
    '%s',
    async (type) => {
      const sample = validFrames[type](ctx.w, 'sample');
      await fc.assert(
        fc.asyncProperty(frameCases(type, sample), (c) => runFrameCase(ctx, pool, c)),
        { numRuns: RUNS, ...replay },
      );
    },
    TIMEOUT,
  );
});

/**
 * The review's finding, for every string field the protocol declares: NUL and lone surrogates
 * are refused with `validation_failed` naming the field, custom data keys and values included.
 * Deterministic, so that a field added later is covered on its first run.
 */
describe('unsafe text in every declared string field', () => {
  /** A value carrying unsafe text somewhere inside a field of this kind. */
  const unsafeValues = (field: Field, char: string): ValueRecipe[] => {
    const text = `x${CANARY}${char}`;
    switch (field.kind) {
      case 'string':
      case 'time':
        return [{ kind: 'text', text }];
      case 'record':
        return [{ kind: 'json', value: { [`k${char}`]: 1 } }];
      case 'json':
        return [{ kind: 'json', value: { deep: [{ [`k${char}`]: 1 }, text] } }];
      default:
        return [];
    }
  };
  // A URL cannot carry a lone surrogate (it has no UTF-8 form): only NUL goes into params and queries.
  const charsFor = (at: Location) => (at === 'body' ? ['\u0000', '\ud800'] : ['\u0000']);
  const concrete = (path: Path) => path.map((step) => (step === ANY_KEY ? 'some_key' : step));

  const restCasesOf = (name: EndpointName) => {
    const def: Endpoint = endpoints[name];
    return (['params', 'query', 'body'] as const).flatMap((at) =>
      schemaFields(def[at])
        .filter((f) => f.path.length > 0 && (at !== 'query' || f.path.length === 1))
        // Every query parameter arrives as text, whatever the schema makes of it.
        .map((f): Field => (at === 'query' ? { ...f, kind: 'string' } : f))
        .flatMap((field) =>
          charsFor(at).flatMap((char) =>
            unsafeValues(field, char).map(
              (value) => () =>
                runRestCase(ctx, {
                  endpoint: name,
                  mutation: { kind: 'set', at, path: concrete(field.path), value },
                }),
            ),
          ),
        ),
    );
  };
  const withInput = ENDPOINTS.filter((name) => restCasesOf(name).length > 0);

  it('finds string fields in every endpoint that takes input', () => {
    const takesInput = ENDPOINTS.filter((name) => {
      const def: Endpoint = endpoints[name];
      return def.params || def.query || def.body;
    });
    expect(withInput).toEqual(takesInput);
  });

  it.each(withInput)('%s', (name) => sweep(restCasesOf(name)));

  it.each(FRAME_TYPES)('%s frame', (type: ClientFrameType) =>
    sweep(
      schemaFields(frameSchema(type))
        .filter((f) => f.path.length > 0)
        .flatMap((field) =>
          charsFor('body').flatMap((char) =>
            unsafeValues(field, char).map(
              (value) => () =>
                runFrameCase(ctx, pool, {
                  type,
                  mutation: { kind: 'set', path: concrete(field.path), value },
                }),
            ),
          ),
        ),
    ),
  );
});

/**
 * Text that looks hostile but is valid Unicode (BOMs, RTL marks, emoji, combining marks, control
 * characters) is accepted, and stored and returned exactly as sent, in every field that echoes.
 */
describe('odd but valid text is stored as sent', () => {
  const odd = Object.values(SPECIAL_TEXT).filter((special) => !isUnsafe(special));
  // All of them in one text, a BOM first: what a store or a driver strips shows at the start.
  const text = `\ufeff${odd.join(' ')} ${CANARY}`;
  const valueFor = (path: Path): ValueRecipe =>
    path.at(-1) === 'custom'
      ? {
          kind: 'json',
          value: Object.fromEntries(odd.map((special, i) => [`${special}${i}`, `${special}${CANARY}`])),
        }
      : { kind: 'text', text };

  it.each(Object.keys(REST_ECHOES) as EndpointName[])('%s', (name) =>
    sweep(
      (REST_ECHOES[name] ?? []).map(
        ([path]) =>
          () =>
            runRestCase(ctx, {
              endpoint: name,
              mutation: { kind: 'set', at: 'body', path, value: valueFor(path) },
            }),
      ),
    ),
  );

  it.each(Object.keys(FRAME_ECHOES) as ClientFrameType[])('%s frame', (type) =>
    sweep(
      (FRAME_ECHOES[type] ?? []).map(
        ([path]) =>
          () =>
            runFrameCase(ctx, pool, { type, mutation: { kind: 'set', path, value: valueFor(path) } }),
      ),
    ),
  );
});

/**
 * Another tenant's ids, and ids of a channel the caller cannot read, in every place an input
 * names something: answered as if nothing had that id (see `judgeForeign`).
 */
describe('ids the caller may not reach, in every id field', () => {
  // Declared by the schemas, so that the list is known before the world exists.
  const withIds = ENDPOINTS.filter((name) =>
    (['params', 'query', 'body'] as const).some((at) =>
      schemaFields((endpoints[name] as Endpoint)[at]).some(
        (f) => idKindIn(name, at, f.path, 'x') !== undefined,
      ),
    ),
  );

  it.each(withIds)('%s', (name) =>
    sweep(
      idPaths(name, validRestInputs[name](ctx.w)).flatMap(({ at, path, id, owners }) =>
        owners.map(
          (owner) => () =>
            runRestCase(ctx, { endpoint: name, mutation: { kind: 'foreign-id', at, path, id, owner } }),
        ),
      ),
    ),
  );

  const framesWithIds = FRAME_TYPES.filter((type) =>
    schemaFields(frameSchema(type)).some((f) => idKindAt(f.path, 'x') !== undefined),
  );

  it.each(framesWithIds)('%s frame', (type) =>
    sweep(
      frameIdPaths(validFrames[type](ctx.w, 'sample')).flatMap(({ path, id }) =>
        ownersOf(id).map(
          (owner) => () =>
            runFrameCase(ctx, pool, { type, mutation: { kind: 'foreign-id', path, id, owner } }),
        ),
      ),
    ),
  );
});

/**
 * Times and pagination cursors pass their schemas as text and are checked again only by the
 * database: every edge value in every such field must still be a 4xx or a success.
 */
describe('times and cursors at the edges', () => {
  const sqlOnly = (field: Field) => field.kind === 'time' || field.path.at(-1) === 'cursor';
  const fieldsOf = (name: EndpointName) =>
    (['query', 'body'] as const).flatMap((at) =>
      schemaFields((endpoints[name] as Endpoint)[at])
        .filter(sqlOnly)
        .map((field) => ({ at, path: field.path })),
    );
  const withTimes = ENDPOINTS.filter((name) => fieldsOf(name).length > 0);

  it('finds the fields', () => {
    expect(withTimes.length).toBeGreaterThan(0);
  });

  it.each(withTimes)('%s', (name) => {
    const input = validRestInputs[name](ctx.w);
    return sweep(
      fieldsOf(name).flatMap(({ at, path }) =>
        nearMisses(getAt(input[at], path), path.at(-1)).map(
          (_, pick) => () =>
            runRestCase(ctx, {
              endpoint: name,
              mutation: { kind: 'set', at, path, value: { kind: 'near-miss', pick } },
            }),
        ),
      ),
    );
  });
});

/**
 * Webhook and before-send hook URLs that pass the schema (http or https, no credentials) but name
 * what only the server can reach: refused when configured, as a validation error on `url`, and
 * nothing stored. Numeric, short and mapped forms of loopback are normalised by the URL parser
 * first; other names are checked when they are resolved, at delivery (target-guard.ts).
 */
describe('webhook URLs the SSRF guard refuses', () => {
  const PRIVATE_URLS = [
    'http://localhost/hook',
    'https://LOCALHOST:8443/hook',
    'http://localhost./hook',
    'http://api.localhost/hook',
    'http://127.0.0.1:8080/hook',
    'http://127.1/hook',
    'http://2130706433/hook',
    'http://0x7f000001/hook',
    'http://0.0.0.0/hook',
    'http://10.1.2.3/hook',
    'http://172.16.0.1/hook',
    'http://192.168.1.1/hook',
    'http://100.64.0.1/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://224.0.0.1/hook',
    'http://255.255.255.255/hook',
    'http://[::1]/hook',
    'http://[::]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[::ffff:a9fe:a9fe]/latest/meta-data/',
    'http://[fe80::1]/hook',
    'http://[fd00::1]/hook',
  ];
  const WITH_URLS = ['createWebhook', 'updateWebhook', 'setBeforeSendHook'] as const;

  it('finds every endpoint that takes a URL to call', () => {
    const takesUrl = ENDPOINTS.filter((name) =>
      schemaFields((endpoints[name] as Endpoint).body).some((f) => f.path.join('.') === 'url'),
    );
    expect(takesUrl.sort()).toEqual([...WITH_URLS].sort());
  });

  it.each(WITH_URLS)('%s', (name) =>
    sweep(
      PRIVATE_URLS.map(
        (url) => () =>
          runRestCase(ctx, {
            endpoint: name,
            mutation: { kind: 'set', at: 'body', path: ['url'], value: { kind: 'text', text: url } },
            refusal: { status: 400, code: 'validation_failed', issue: { location: 'body', path: ['url'] } },
          }),
      ),
    ),
  );
});

/**
 * Every way of wrapping a request or a frame wrongly, at least once per run (the generated cases
 * above pick among them at random): on an endpoint that takes a body, one that takes a query,
 * and a frame.
 */
describe('every encoding, every auth variant', () => {
  it.each(['sendMessage', 'queryUsers'] as const)('%s', (name) =>
    sweep([
      ...ENCODING_VARIANTS.filter((v) => endpoints[name].method !== 'GET' || !BODY_VARIANTS.has(v)).map(
        (variant) => () => runRestCase(ctx, { endpoint: name, mutation: { kind: 'encoding', variant } }),
      ),
      ...AUTH_VARIANTS.map(
        (variant) => () => runRestCase(ctx, { endpoint: name, mutation: { kind: 'auth', variant } }),
      ),
    ]),
  );

  it('message.send frame', () =>
    sweep(
      FRAME_ENCODINGS.map(
        (variant) => () =>
          runFrameCase(ctx, pool, { type: 'message.send', mutation: { kind: 'encoding', variant } }),
      ),
    ));
});

describe('WebSocket upgrade with hostile api keys', () => {
  /** The HTTP status an upgrade is answered with (101 when it opens). */
  function upgrade(query: string, headers: Record<string, string> = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${ctx.w.server.wsUrl}${query}`, { headers });
      ws.once('open', () => {
        ws.close();
        resolve(101);
      });
      ws.once('unexpected-response', (_request, response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
        ws.terminate();
      });
      ws.once('error', reject);
    });
  }

  it.each([
    ['a NUL', '?api_key=%00'],
    ['a NUL inside a real key', () => `?api_key=${ctx.w.a.api_key}%00`],
    ['invalid UTF-8', '?api_key=%ED%A0%80'],
    ['bad percent-encoding', '?api_key=%zz'],
    ['300 characters', `?api_key=${'k'.repeat(300)}`],
    ['an empty key', '?api_key='],
    ['no key', ''],
  ])('%s: 401, nothing logged', async (_name, query) => {
    const mark = ctx.w.logs.mark();
    const status = await upgrade(typeof query === 'function' ? query() : query);
    expect(status).toBe(401);
    expect(ctx.w.logs.problems(mark, [CANARY])).toEqual([]);
  });

  it('an api key header with odd but legal characters: 401', async () => {
    expect(await upgrade('', { 'x-api-key': `\t${CANARY} ~` })).toBe(401);
  });
});

describe('the log', () => {
  it('holds no stack trace and none of the text the suite submitted', async () => {
    // Lines written after their case was judged (a request's completion is logged after it is answered).
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(ctx.w.logs.problems(0, [CANARY])).toEqual([]);
    expect(ctx.w.logs.lines.length).toBeGreaterThan(0);
  });
});
