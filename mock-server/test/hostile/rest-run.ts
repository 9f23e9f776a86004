import { isDeepStrictEqual } from 'node:util';
import { type Endpoint, type EndpointName, endpoints, LIMITS } from '@chat/protocol';
import { CANARY } from './hostile-values';
import { encodeComponent, type HttpAnswer, type HttpRequest, sendHttp } from './http-request';
import { getAt, reachesPrototype, unsafeTextPaths } from './json-paths';
import type { AuthVariant, EncodingVariant, Location, RestCase } from './rest-mutations';
import { mutate, toRequest } from './rest-request';
import type { RunContext } from './run-context';
import type { Path } from './schema-paths';
import { type RestInput, validRestInputs } from './valid-inputs';
import { clip, Verdict } from './verdict';
import type { World } from './world';

/**
 * Sends one hostile REST input and judges the answer as a user would see it: never a 5xx or a
 * stack trace, refusals in the one error shape, unsafe text and schema violations refused with
 * `validation_failed` naming the field, another tenant's or an unreadable channel's ids answered
 * as if they did not exist, nothing written when refused, nothing logged that the client sent,
 * and accepted text stored as sent.
 */
export async function runRestCase(ctx: RunContext, c: RestCase): Promise<void> {
  const { w } = ctx;
  const def: Endpoint = endpoints[c.endpoint];
  const input = mutate(w, validRestInputs[c.endpoint](w), c.mutation);
  const request = toRequest(w, c.endpoint, input, c.mutation);
  const verdict = new Verdict();
  const before = await ctx.state.before();
  const mark = w.logs.mark();
  const answer = await sendHttp(w.server.url, request);

  if (answer) {
    judgeAnswer(verdict, answer, w);
    judgeInput(verdict, def, c, input, request, answer);
    judgeEchoes(verdict, c, input, answer);
    if (c.mutation.kind === 'foreign-id') await judgeForeign(ctx, verdict, c, answer);
    if (c.refusal) judgeRefusal(verdict, c.refusal, answer);
  } else {
    // The server may notice the hang-up a moment later; what it logs then belongs to this case.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const refused = !answer || answer.status >= 400;
  if (refused) {
    const code = errorCode(answer);
    // Presenting a rotated refresh token is refused and, by design, revokes its whole family.
    verdict.unchanged(
      before,
      await ctx.state.after(),
      code === 'refresh_token_reused' ? ['refresh_tokens'] : [],
    );
  } else ctx.state.invalidate();
  for (const problem of w.logs.problems(mark, [CANARY])) verdict.fail(problem);
  const sent = typeof request.body === 'string' ? ` ${clip(request.body, 300)}` : '';
  verdict.settle(
    `${request.method} ${clip(request.target, 200)}${sent} (${c.endpoint}, ${c.mutation.kind}) answered ${answer ? `${answer.status} ${clip(answer.text, 300)}` : 'nothing (hung up)'}`,
  );
}

const errorCode = (answer: HttpAnswer | undefined): string | undefined =>
  (answer?.json as { error?: { code?: unknown } } | undefined)?.error?.code as string | undefined;

const issuesOf = (answer: HttpAnswer) => {
  const details = (answer.json as { error?: { details?: { issues?: { path: Path }[]; location?: string } } })
    ?.error?.details;
  return { paths: (details?.issues ?? []).map((issue) => issue.path), location: details?.location };
};

/** What holds for every answer, whatever was asked. */
function judgeAnswer(verdict: Verdict, answer: HttpAnswer, w: World): void {
  if (answer.status >= 500) verdict.fail(`a server error (${answer.status})`);
  else if (answer.status >= 300 && answer.status < 400) verdict.fail(`a redirect (${answer.status})`);
  if (answer.status >= 400) verdict.errorShape(answer.status, answer.text, answer.json);
  verdict.noSecrets('the answer', answer.text, w.secrets);
}

/** What the answer must be, given what the server was sent. */
function judgeInput(
  verdict: Verdict,
  def: Endpoint,
  c: RestCase,
  input: RestInput,
  request: HttpRequest,
  answer: HttpAnswer,
): void {
  const m = c.mutation;
  const status = answer.status;
  const code = errorCode(answer);
  const refusedAs = (expected: string, ...allowed: [number, string][]) => {
    if (!allowed.some(([s, c2]) => s === status && c2 === code)) {
      verdict.fail(`${expected}, yet answered ${status} ${code ?? ''}`);
    }
  };
  if (m.kind === 'auth') {
    judgeAuth(verdict, def, m.variant, status, code);
    return;
  }
  if (m.kind === 'encoding') {
    judgeEncoding(verdict, def, m.variant, status);
    return;
  }

  const bodyBytes =
    typeof request.body === 'string' ? Buffer.byteLength(request.body) : (request.body?.byteLength ?? 0);
  // A value the server cannot receive as sent (a lone surrogate in a URL becomes invalid UTF-8)
  // has no expected answer beyond the rules every answer follows.
  const modelled = [
    ...Object.values(input.params),
    ...Object.keys(input.query),
    ...Object.values(input.query).flat(),
  ].every((v) => String(v).isWellFormed());
  if (!modelled) return;
  // Path segments that change which route answers: an empty or dot segment is another path
  // (404), and one longer than the router takes (Fastify's maxParamLength, 100) is a 414.
  const routeRefusal =
    (status === 404 && Object.values(input.params).some((v) => v === '' || v === '.' || v === '..')) ||
    (status === 414 && Object.values(input.params).some((v) => encodeComponent(v).length > 100));
  const tooLarge = bodyBytes > LIMITS.BODY_BYTES;
  const unsafe = (['params', 'query', 'body'] as const).flatMap((at) =>
    at === 'body' && !def.body ? [] : unsafeTextPaths(input[at]).map((path) => ({ at, path })),
  );
  const invalid = invalidParts(def, input);

  if (tooLarge) {
    refusedAs('a body over the size limit', [413, 'payload_too_large']);
    return;
  }
  if (unsafe.length > 0) {
    if (routeRefusal) return;
    refusedAs(`text with NUL or a lone surrogate (${clip(JSON.stringify(unsafe[0]))})`, [
      400,
      'validation_failed',
    ]);
    if (status === 400 && code === 'validation_failed' && !(def.body && reachesPrototype(input.body))) {
      const { paths, location } = issuesOf(answer);
      const named = unsafe.some((u) => u.at === location && paths.some((p) => isDeepStrictEqual(p, u.path)));
      if (!named)
        verdict.fail(
          `the issues do not name the unsafe field ${clip(JSON.stringify(unsafe))}: ${clip(answer.text)}`,
        );
    }
    return;
  }
  if (invalid.length > 0) {
    if (routeRefusal) return;
    refusedAs(`an input the schema refuses (${invalid.join(', ')})`, [400, 'validation_failed']);
    return;
  }
  if (m.kind === 'server-only-field') {
    if (status < 400) {
      verdict.fail(`a server-only field (${m.path.join('.')}) from a user token was accepted`);
    }
    const sender = (answer.json as { message?: { user_id?: string } })?.message?.user_id;
    if (sender !== undefined && sender !== 'alice') verdict.fail(`alice's token sent a message as ${sender}`);
  }
}

/** The refusal a case says it must get, naming the field when it says which. */
function judgeRefusal(verdict: Verdict, refusal: NonNullable<RestCase['refusal']>, answer: HttpAnswer): void {
  const code = errorCode(answer);
  if (answer.status !== refusal.status || code !== refusal.code) {
    verdict.fail(`expected ${refusal.status} ${refusal.code}, answered ${answer.status} ${code ?? ''}`);
    return;
  }
  const { issue } = refusal;
  if (!issue) return;
  const { paths, location } = issuesOf(answer);
  if (location !== issue.location || !paths.some((p) => isDeepStrictEqual(p, issue.path)))
    verdict.fail(`the issues do not name ${issue.location} ${issue.path.join('.')}: ${clip(answer.text)}`);
}

/** The parts of a (well-formed) input that the endpoint's schemas refuse. */
function invalidParts(def: Endpoint, input: RestInput): Location[] {
  const parts: Location[] = [];
  if (def.params && !passes(def.params, input.params)) parts.push('params');
  const known = new Set(Object.keys((def.query as { shape?: object } | undefined)?.shape ?? {}));
  const unknownKey = Object.keys(input.query).some((key) => !known.has(key));
  if (unknownKey || (def.query && !passes(def.query, input.query))) parts.push('query');
  if (def.body && !passes(def.body, input.body)) parts.push('body');
  return parts;
}

/**
 * Whether a schema takes the value. A schema that throws instead of answering (a refinement that
 * assumes an earlier check passed) does not: the server must still refuse the input with a 400,
 * which is what is then expected of it.
 */
function passes(schema: NonNullable<Endpoint['body']>, value: unknown): boolean {
  try {
    return schema.safeParse(value).success;
  } catch {
    return false;
  }
}

function judgeAuth(
  verdict: Verdict,
  def: Endpoint,
  variant: AuthVariant,
  status: number,
  code?: string,
): void {
  const apiKey = ['no api key', 'unknown api key', 'api key of another app', 'NUL api key in the query'];
  const token = [
    'no token',
    'garbage token',
    'token of another app',
    'server token of another app',
    'expired token',
    'alg none token',
    'basic scheme',
  ];
  const mustBe401 =
    variant === 'api key of another app'
      ? def.auth !== 'public'
      : apiKey.includes(variant) || (token.includes(variant) && def.auth !== 'public');
  if (mustBe401 && status !== 401) verdict.fail(`${variant}: expected 401, answered ${status} ${code ?? ''}`);
  if (variant === 'user token' && def.auth === 'server' && status !== 403) {
    verdict.fail(`a user token on a server-side endpoint: expected 403, answered ${status} ${code ?? ''}`);
  }
}

/** Bodies no JSON parser should take, and request lines no router should route. */
const MUST_REFUSE_BODY: ReadonlySet<EncodingVariant> = new Set([
  'text/plain',
  'form-urlencoded',
  'multipart',
  'xml',
  'no content type',
  'truncated JSON',
  'trailing garbage',
  'single quotes',
  'NaN',
  'empty body',
  'raw control character',
  'nested 20,000 deep',
  'over 1 MiB',
]);
const MUST_REFUSE_ANY: ReadonlySet<EncodingVariant> = new Set([
  'bad percent-encoding in the path',
  'NUL query key',
  'malformed query string',
  'repeated query key',
  'url over 16 KiB',
]);

function judgeEncoding(verdict: Verdict, def: Endpoint, variant: EncodingVariant, status: number): void {
  const mustRefuse =
    MUST_REFUSE_ANY.has(variant) || (def.body !== undefined && MUST_REFUSE_BODY.has(variant));
  if (mustRefuse && status < 400) verdict.fail(`${variant}: accepted (${status})`);
}

/** Where accepted text comes back in the answer: sent path → answered path. */
export const REST_ECHOES: Partial<Record<EndpointName, [Path, Path][]>> = {
  sendMessage: [
    [['text'], ['message', 'text']],
    [['custom'], ['message', 'custom']],
    [
      ['attachments', 0, 'name'],
      ['message', 'attachments', 0, 'name'],
    ],
  ],
  updateMessage: [
    [['text'], ['message', 'text']],
    [['custom'], ['message', 'custom']],
  ],
  updateMe: [
    [['name'], ['user', 'name']],
    [['custom'], ['user', 'custom']],
  ],
  upsertUsers: [
    [
      ['users', 0, 'name'],
      ['users', 0, 'name'],
    ],
    [
      ['users', 0, 'custom'],
      ['users', 0, 'custom'],
    ],
  ],
  createChannel: [
    [['name'], ['channel', 'name']],
    [['custom'], ['channel', 'custom']],
  ],
  updateChannel: [
    [['name'], ['channel', 'name']],
    [['custom'], ['channel', 'custom']],
  ],
  saveDraft: [[['text'], ['draft', 'text']]],
  updateWebhook: [[['name'], ['webhook', 'name']]],
};

function judgeEchoes(verdict: Verdict, c: RestCase, input: RestInput, answer: HttpAnswer): void {
  const m = c.mutation;
  if (answer.status >= 300 || m.kind !== 'set' || m.at !== 'body') return;
  for (const [sent, answered] of REST_ECHOES[c.endpoint] ?? []) {
    const touched = sent.every((step, i) => m.path[i] === undefined || m.path[i] === step);
    if (!touched) continue;
    verdict.echoed(sent.join('.'), getAt(input.body, sent), getAt(answer.json, answered));
  }
}

/**
 * Another tenant's id, or an id of a channel the caller cannot read, must be answered as if
 * nothing had that id: 404, or exactly what an id that never existed gets.
 */
async function judgeForeign(
  ctx: RunContext,
  verdict: Verdict,
  c: RestCase,
  answer: HttpAnswer,
): Promise<void> {
  const m = c.mutation;
  if (m.kind !== 'foreign-id') return;
  const code = errorCode(answer);
  if (answer.status === 404 && code === 'not_found') return;
  const twinInput = mutate(ctx.w, validRestInputs[c.endpoint](ctx.w), m, ctx.w.fresh());
  const twin = await sendHttp(ctx.w.server.url, toRequest(ctx.w, c.endpoint, twinInput, m));
  ctx.state.invalidate();
  if (twin && twin.status === answer.status && errorCode(twin) === code) return;
  verdict.fail(
    `an id of the ${m.owner} (${m.at} ${m.path.join('.')}) answered ${answer.status} ${code ?? ''}, an id that never existed ${twin?.status} ${errorCode(twin) ?? ''}`,
  );
}
