import { type Endpoint, type EndpointName, endpoints } from '@chat/protocol';
import fc from 'fast-check';
import {
  deepNesting,
  extraKey,
  hostileJson,
  hostileText,
  hugeArray,
  nearMiss,
  type ValueRecipe,
  wrongType,
} from './hostile-values';
import { type IdKind, idKindAt, type Owner, ownersOf } from './id-kinds';
import { getAt, objectPaths, pathsIn } from './json-paths';
import { type Path, schemaFields } from './schema-paths';
import type { RestInput } from './valid-inputs';

/** The three places of a request a client fills in. */
export type Location = 'params' | 'query' | 'body';

export type RestMutation =
  | { kind: 'set'; at: Location; path: Path; value: ValueRecipe }
  | { kind: 'delete'; at: 'query' | 'body'; path: Path }
  | { kind: 'extra-key'; at: 'query' | 'body'; path: Path; key: string; value: ValueRecipe }
  | { kind: 'foreign-id'; at: Location; path: Path; id: IdKind; owner: Owner }
  /** A field only server-side calls may set, sent with a user token. */
  | { kind: 'server-only-field'; path: Path; value: string }
  | { kind: 'encoding'; variant: EncodingVariant }
  | { kind: 'auth'; variant: AuthVariant };

export interface RestCase {
  endpoint: EndpointName;
  mutation: RestMutation;
  /**
   * The refusal a deterministic case must get, beyond what the runner judges from the input
   * alone (a value the schema passes but the server must refuse, such as a private address).
   */
  refusal?: { status: number; code: string; issue?: { location: Location; path: Path } };
}

/** Body fields that only a server-side token may set. */
export const SERVER_ONLY_FIELDS: Partial<Record<EndpointName, Path[]>> = {
  createChannel: [['created_by_id']],
  sendMessage: [['user_id']],
};

export const ENCODING_VARIANTS = [
  'text/plain',
  'form-urlencoded',
  'multipart',
  'xml',
  'no content type',
  'utf-16 charset label',
  'truncated JSON',
  'trailing garbage',
  'single quotes',
  'NaN',
  'empty body',
  'byte order mark',
  'duplicate keys',
  'raw control character',
  'invalid UTF-8',
  'nested 20,000 deep',
  'over 1 MiB',
  'hang-up mid-body',
  'bad percent-encoding in the path',
  'NUL query key',
  'malformed query string',
  'repeated query key',
  'url over 16 KiB',
] as const;
export type EncodingVariant = (typeof ENCODING_VARIANTS)[number];

/** Variants that are about the body: a GET has none to send. */
export const BODY_VARIANTS: ReadonlySet<EncodingVariant> = new Set(
  ENCODING_VARIANTS.slice(0, ENCODING_VARIANTS.indexOf('hang-up mid-body') + 1),
);

export const AUTH_VARIANTS = [
  'no token',
  'garbage token',
  'token of another app',
  'server token of another app',
  'expired token',
  'alg none token',
  'basic scheme',
  'no api key',
  'unknown api key',
  'api key of another app',
  'NUL api key in the query',
  'server token',
  'user token',
] as const;
export type AuthVariant = (typeof AUTH_VARIANTS)[number];

/** Locations of an endpoint's input where a value can go, with every path a mutation may pick. */
function pathsOf(endpoint: EndpointName, sample: RestInput): Record<Location, Path[]> {
  const def: Endpoint = endpoints[endpoint];
  const unique = (paths: Path[]) => [...new Map(paths.map((p) => [JSON.stringify(p), p])).values()];
  const declared = (schema: Endpoint['body']) => schemaFields(schema).map((field) => field.path);
  return {
    params: Object.keys(sample.params).map((key) => [key]),
    // Query strings are flat: one level of keys.
    query: def.query
      ? unique([...declared(def.query), ...pathsIn(sample.query)]).filter((p) => p.length === 1)
      : [],
    body: def.body
      ? unique([...declared(def.body), ...pathsIn(sample.body)]).filter((p) => p.length > 0)
      : [],
  };
}

/** The kind of id at `path` of an endpoint's params, query or body, if it holds one. */
export function idKindIn(
  endpoint: EndpointName,
  at: Location,
  path: Path,
  value: unknown,
): IdKind | undefined {
  const route = endpoints[endpoint].path;
  return idKindAt(path, value, {
    ...(at === 'params' && route.startsWith('/v1/channels/{type}/{id}') && { channelIdAt: ['id'] }),
    ...(at === 'params' && route.startsWith('/v1/messages/{id}') && { messageIdAt: ['id'] }),
    ...(at === 'body' && endpoint === 'createChannel' && { channelIdAt: ['id'] }),
    // A delivery log pages by delivery id, under the name message lists use.
    ...(at === 'query' &&
      route.startsWith('/v1/webhooks/{webhookId}/deliveries') && { deliveryIdAt: ['before'] }),
  });
}

/** Where in the sample ids sit, their kinds, and whose ids may replace them. */
export function idPaths(
  endpoint: EndpointName,
  sample: RestInput,
): { at: Location; path: Path; id: IdKind; owners: Owner[] }[] {
  return (['params', 'query', 'body'] as const).flatMap((at) =>
    pathsIn(sample[at]).flatMap((p) => {
      const id = idKindIn(endpoint, at, p, getAt(sample[at], p));
      if (!id) return [];
      // A channel created with another app's id is simply a new channel of this app (which
      // would then shadow that id for every later case): only an existing private one is foreign.
      const creates = at === 'body' && endpoint === 'createChannel' && id === 'channel';
      return [{ at, path: p, id, owners: creates ? ['private channel' as const] : ownersOf(id) }];
    }),
  );
}

/** Hostile inputs for one endpoint: mutations of its valid sample. */
export function restCases(endpoint: EndpointName, sample: RestInput): fc.Arbitrary<RestCase> {
  const paths = pathsOf(endpoint, sample);
  const options: { arbitrary: fc.Arbitrary<RestMutation>; weight: number }[] = [];
  if (paths.params.length > 0) {
    options.push({
      // Longer path segments than a URL can carry are one encoding variant, not a field value.
      arbitrary: fc.record({
        kind: fc.constant('set' as const),
        at: fc.constant('params' as const),
        path: fc.constantFrom(...paths.params),
        value: fc.oneof(hostileText(2_049), nearMiss),
      }),
      weight: 3,
    });
  }
  if (paths.query.length > 0) {
    const queryValue = fc.oneof(
      hostileText(4_000),
      nearMiss,
      wrongType.map(
        (r): ValueRecipe => ({ kind: 'text', text: JSON.stringify(r.kind === 'json' ? r.value : '') }),
      ),
      fc.tuple(hostileText(100), hostileText(100)).map(
        ([a, b]): ValueRecipe => ({
          kind: 'json',
          value: [a, b].map((r) => (r.kind === 'text' ? r.text : 'x')),
        }),
      ),
    );
    options.push(
      {
        arbitrary: fc.record({
          kind: fc.constant('set' as const),
          at: fc.constant('query' as const),
          path: fc.constantFrom(...paths.query),
          value: queryValue,
        }),
        weight: 3,
      },
      {
        arbitrary: fc.record({
          kind: fc.constant('extra-key' as const),
          at: fc.constant('query' as const),
          path: fc.constant([]),
          key: extraKey,
          value: fc.constant<ValueRecipe>({ kind: 'text', text: '1' }),
        }),
        weight: 1,
      },
    );
    const present = pathsIn(sample.query);
    if (present.length > 0) {
      options.push({
        arbitrary: fc.record({
          kind: fc.constant('delete' as const),
          at: fc.constant('query' as const),
          path: fc.constantFrom(...present),
        }),
        weight: 1,
      });
    }
  }
  if (paths.body.length > 0) {
    options.push(
      {
        arbitrary: fc.record({
          kind: fc.constant('set' as const),
          at: fc.constant('body' as const),
          path: fc.constantFrom(...paths.body),
          value: hostileJson,
        }),
        weight: 8,
      },
      {
        // The body as a whole: not an object, an enormous array, or nested beyond any limit.
        arbitrary: fc.record({
          kind: fc.constant('set' as const),
          at: fc.constant('body' as const),
          path: fc.constant([]),
          value: fc.oneof(wrongType, hugeArray, deepNesting),
        }),
        weight: 1,
      },
      {
        arbitrary: fc.record({
          kind: fc.constant('extra-key' as const),
          at: fc.constant('body' as const),
          path: fc.constantFrom(...objectPaths(sample.body)),
          key: extraKey,
          value: hostileJson,
        }),
        weight: 2,
      },
      {
        arbitrary: fc.record({
          kind: fc.constant('delete' as const),
          at: fc.constant('body' as const),
          path: fc.constantFrom(...pathsIn(sample.body)),
        }),
        weight: 2,
      },
    );
  }
  const ids = idPaths(endpoint, sample);
  if (ids.length > 0) {
    options.push({
      arbitrary: fc
        .constantFrom(...ids)
        .chain(({ at, path, id, owners }) =>
          fc
            .constantFrom(...owners)
            .map((owner): RestMutation => ({ kind: 'foreign-id', at, path, id, owner })),
        ),
      weight: 3,
    });
  }
  const serverOnly = SERVER_ONLY_FIELDS[endpoint];
  if (serverOnly) {
    options.push({
      arbitrary: fc.record({
        kind: fc.constant('server-only-field' as const),
        path: fc.constantFrom(...serverOnly),
        value: fc.constantFrom('bob', 'erin'),
      }),
      weight: 1,
    });
  }
  options.push(
    {
      arbitrary: fc.record({
        kind: fc.constant('encoding' as const),
        variant: fc.constantFrom(
          ...ENCODING_VARIANTS.filter((v) => endpoints[endpoint].method !== 'GET' || !BODY_VARIANTS.has(v)),
        ),
      }),
      weight: 2,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant('auth' as const),
        variant: fc.constantFrom(...AUTH_VARIANTS),
      }),
      weight: 1,
    },
  );
  return fc.oneof(...options).map((mutation) => ({ endpoint, mutation }));
}
