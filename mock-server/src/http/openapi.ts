import * as protocol from '@chat/protocol';
import {
  type Endpoint,
  ERROR_CODES,
  endpoints,
  errorBody,
  type PortalEndpoint,
  portalEndpoints,
} from '@chat/protocol';
import { sample } from 'openapi-sampler';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;
type Io = 'input' | 'output';

/**
 * The OpenAPI 3.1 document of the REST API, generated from the same protocol table and schemas
 * the routes validate with, so the two cannot drift apart.
 *
 * Every schema the protocol exports is a named component (`Message`, `SendMessageBody`,
 * `MessageResponse`…): zod puts what a schema shares with others in its own `$defs`, which mean
 * nothing at the document's root, so they are hoisted into `components/schemas` and every
 * reference is pointed there. A schema zod could only name `__schemaN` fails the build, so
 * generated clients never get such names.
 */
export function buildOpenApiDocument(version: string): JsonSchema {
  const components = new Components();
  const paths: Record<string, Record<string, unknown>> = {};
  const table = [...Object.entries(endpoints), ...Object.entries(portalEndpoints)] as [
    string,
    Endpoint | PortalEndpoint,
  ][];
  for (const [name, e] of table) {
    const status = e.status ?? 200;
    paths[e.path] ??= {};
    paths[e.path]![e.method.toLowerCase()] = {
      operationId: name,
      summary: e.summary,
      description: DESCRIPTIONS[e.auth],
      tags: [tagOf(e.path)],
      security: SECURITY[e.auth],
      parameters: [...parameters(e.params, 'path'), ...parameters(e.query, 'query')],
      ...(e.body && {
        requestBody: {
          required: true,
          content: { 'application/json': { schema: components.ref(e.body, 'input', `${pascal(name)}Body`) } },
        },
      }),
      responses: {
        [status]: {
          description: STATUS_TEXT[status] ?? 'OK',
          content: {
            'application/json': { schema: components.ref(e.response, 'output', `${pascal(name)}Response`) },
          },
        },
        ...errorResponses(e),
      },
    };
  }
  components.ref(errorBody, 'output', 'ErrorBody');
  Object.assign(paths, OPERATIONS_PATHS, STORAGE_PATHS);
  const webhooks = webhookRequests(components);
  const schemas = components.schemas;
  const document = {
    openapi: '3.1.0',
    info: {
      title: 'Chat REST API',
      version,
      description:
        'REST API v1 of the chat reference server. Every request names its application with the api key; ' +
        'users call with a user token, the application backend with a server token (both HS256 JWTs signed ' +
        'with the app secret). Errors always have the one shape `{ "error": ErrorBody }`, with a stable `code`. ' +
        'The WebSocket protocol is described by `/v1/asyncapi.json`. Both documents are readable in a ' +
        'browser: this one at [/v1/docs](/v1/docs), the WebSocket protocol at [/v1/docs/socket](/v1/docs/socket).',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'The server that serves this document.' }],
    tags: TAGS,
    paths,
    webhooks,
    components: {
      schemas,
      responses: ERROR_RESPONSES,
      securitySchemes: {
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Api-Key',
          description: 'The application api key (or the `api_key` query parameter).',
        },
        userToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A user token: HS256, signed with the app secret, `user_id` claim.',
        },
        webhookSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'webhook-signature',
          description:
            "How a receiver knows a webhook or hook request is the server's (Standard Webhooks): space-separated " +
            '`v1,<base64>` HMAC-SHA256 signatures of `<webhook-id>.<webhook-timestamp>.<body>`, one per live ' +
            'secret (two during a rotation). Verify with any Standard Webhooks library.',
        },
        portalToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            "A customer's portal access token (from /portal/v1/auth/login): minutes long, for the portal API only.",
        },
        serverToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A server token: HS256, signed with the app secret, `server: true`. Never ship it to clients.',
        },
      },
    },
  };
  addExamples(document);
  return document;
}

/** The named schemas of the document, collected as operations use them. */
class Components {
  readonly schemas: Record<string, JsonSchema> = {};
  private readonly names: Record<Io, z.core.$ZodRegistry<{ id: string }>> = {
    input: z.registry<{ id: string }>(),
    output: z.registry<{ id: string }>(),
  };

  constructor() {
    // Every schema the protocol exports, by its export name: the names generated clients get.
    for (const [exportName, value] of Object.entries(protocol)) {
      if (!(value instanceof z.ZodType)) continue;
      for (const io of ['input', 'output'] as const) {
        if (!this.names[io].has(value)) this.names[io].add(value, { id: pascal(exportName) });
      }
    }
  }

  /** A `$ref` to `schema` as a component (named by its export name, else `fallback`). */
  ref(schema: z.ZodType, io: Io, fallback: string): JsonSchema {
    const registry = this.names[io];
    const name = registry.get(schema)?.id ?? fallback;
    const json = z.toJSONSchema(schema, {
      io,
      metadata: registry,
      unrepresentable: 'any',
      target: 'draft-2020-12',
    }) as JsonSchema;
    const {
      $defs,
      $schema: _schema,
      $id: _id,
      id: _zodId,
      ...root
    } = json as JsonSchema & { $defs?: JsonSchema };
    // A schema with a name comes back as a reference to its own definition.
    const defs: Record<string, JsonSchema> = {
      [name]: root,
      ...(($defs as Record<string, JsonSchema>) ?? {}),
    };
    // Each definition gets its component name: the same, or with `Input` when the request form
    // of a schema differs from its response form (defaults, transforms).
    const renamed = new Map<string, string>();
    for (const [key, value] of Object.entries(defs)) {
      if (key.startsWith('__schema'))
        throw new Error(`OpenAPI: an unnamed shared schema in ${name}; export it from @chat/protocol`);
      renamed.set(key, this.place(key, io, value, defs, renamed));
    }
    for (const [key, value] of Object.entries(defs)) {
      this.schemas[renamed.get(key)!] = pointRefs(value, renamed) as JsonSchema;
    }
    return { $ref: `#/components/schemas/${renamed.get(name)}` };
  }

  private place(
    key: string,
    io: Io,
    value: JsonSchema,
    defs: Record<string, JsonSchema>,
    renamed: Map<string, string>,
  ): string {
    for (const candidate of [key, `${key}Input`]) {
      const existing = this.schemas[candidate];
      if (!existing) return candidate;
      const tentative = new Map(renamed);
      for (const other of Object.keys(defs)) if (!tentative.has(other)) tentative.set(other, other);
      tentative.set(key, candidate);
      if (JSON.stringify(existing) === JSON.stringify(pointRefs(value, tentative))) return candidate;
    }
    throw new Error(`OpenAPI: two different schemas named ${key}`);
  }
}

/** Points `#/$defs/X` references at the component X was placed under. */
function pointRefs(value: unknown, renamed: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => pointRefs(item, renamed));
  if (!value || typeof value !== 'object') return value;
  const out: JsonSchema = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === '$ref' && typeof inner === 'string') {
      const target = inner === '#' ? null : inner.replace(/^#\/\$defs\//, '');
      out[key] = `#/components/schemas/${renamed.get(target ?? '') ?? target}`;
    } else out[key] = pointRefs(inner, renamed);
  }
  return out;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property as JsonSchema & { description?: string };
    return {
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      ...(description !== undefined && { description }),
      schema: rest,
    };
  });
}

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);
/** `message.new` → `MessageNew` */
const words = (name: string) => name.split(/[._]/).map(pascal).join('');

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content' };

type Auth = Endpoint['auth'] | PortalEndpoint['auth'];

const DESCRIPTIONS: Record<Auth, string> = {
  public: 'Needs only the api key.',
  user: 'Needs the api key and a user token.',
  server: 'Needs the api key and a server token (the application backend, never a client).',
  anonymous: 'Portal: needs nothing (no api key: the portal is above applications).',
  customer: "Portal: needs a customer's portal access token (chat tokens are refused).",
};

const SECURITY: Record<Auth, Record<string, string[]>[]> = {
  public: [{ apiKey: [] }],
  user: [{ apiKey: [], userToken: [] }],
  server: [{ apiKey: [], serverToken: [] }],
  anonymous: [],
  customer: [{ portalToken: [] }],
};

const TAGS = [
  { name: 'Auth', description: 'Password accounts, token pairs and their rotation.' },
  { name: 'Users', description: 'The calling user and the users of the application.' },
  { name: 'Channels', description: 'Channels: create, query, update, freeze, truncate, delete.' },
  { name: 'Members', description: 'Members of a channel, their roles, mutes and bans.' },
  { name: 'Messages', description: 'Messages, threads and pins.' },
  { name: 'Reactions', description: 'Reactions to messages.' },
  { name: 'Reads', description: 'Read positions and unread counts.' },
  { name: 'Drafts', description: 'Unsent drafts, per channel or thread.' },
  { name: 'Search', description: 'Full-text search over the messages a user may read.' },
  {
    name: 'Uploads',
    description:
      'Files sent straight to object storage: ask for a target, send the bytes there, complete. The ' +
      'server checks the stored bytes (size, the type sniffed from them) against the policy. On disk ' +
      'storage the target and the download URLs are this server’s signed `/v1/storage/*` URLs; on S3, ' +
      'a presigned POST and presigned GETs.',
  },
  {
    name: 'Webhooks',
    description:
      'Outgoing webhooks and the before-send hook, managed by the app backend. Requests to them are ' +
      'signed as Standard Webhooks says; their payloads are listed under `webhooks`.',
  },
  { name: 'Operations', description: 'Health, readiness and the API documents.' },
  {
    name: 'Portal: accounts',
    description:
      "The platform's customers (who run applications, never the applications' users): sign up, log in, " +
      'sessions. Their tokens work on the portal API only.',
  },
  { name: 'Portal: teams', description: 'Teams, their members with roles, and invitations.' },
  {
    name: 'Portal: applications',
    description: "A team's applications: create, configure, disable, delete, rotate the secret, mint tokens.",
  },
];

const SIGNATURE_HEADERS = [
  ['webhook-id', 'The same on every attempt and replay of one event to one endpoint: drop repeats by it.'],
  ['webhook-timestamp', 'Seconds since the epoch when this attempt was signed.'],
].map(([name, description]) => ({
  name,
  in: 'header',
  required: true,
  description,
  schema: { type: 'string' },
}));

/**
 * The requests the server makes (OpenAPI's `webhooks`): one per event type an endpoint can
 * subscribe to, and the before-send hook's.
 */
function webhookRequests(components: Components): Record<string, unknown> {
  const eventSchemas = new Map<string, z.ZodType>(
    protocol.chatEvent.options.map((option) => [option.shape.type.value, option]),
  );
  eventSchemas.set('user.created', protocol.userCreatedEvent);
  eventSchemas.set('user.updated', protocol.userUpdatedEvent);
  eventSchemas.set('webhook.disabled', protocol.webhookDisabledEvent);
  eventSchemas.set('moderation.action', protocol.moderationActionEvent);
  /** A request the server makes to an application's endpoint, signed. */
  const signedPost = (operationId: string, summary: string, body: unknown, responses: unknown) => ({
    post: {
      operationId,
      summary,
      tags: ['Webhooks'],
      security: [{ webhookSignature: [] }],
      parameters: SIGNATURE_HEADERS,
      requestBody: { required: true, content: { 'application/json': { schema: body } } },
      responses,
    },
  });
  const requests: Record<string, unknown> = {};
  for (const type of protocol.WEBHOOK_EVENT_TYPES) {
    const envelope = z.object({
      type: z.literal(type),
      timestamp: protocol.timestamp,
      data: eventSchemas.get(type)!,
    });
    requests[type] = signedPost(
      `webhook${words(type)}`,
      `A \`${type}\` event, sent to the endpoints that subscribe to it`,
      components.ref(envelope, 'output', `Webhook${words(type)}`),
      { '2XX': { description: 'Received. Anything else is retried; 410 Gone disables the endpoint.' } },
    );
  }
  requests['message.before_send'] = signedPost(
    'beforeSendHook',
    'A new message, shown to the before-send hook before it is stored',
    components.ref(protocol.beforeSendRequest, 'output', 'BeforeSendRequest'),
    {
      '200': {
        description: 'The verdict. Any other answer, or none in time, is a failure of the hook.',
        content: {
          'application/json': {
            schema: components.ref(protocol.beforeSendAnswer, 'input', 'BeforeSendAnswer'),
          },
        },
      },
    },
  );
  return requests;
}

/** The tag of a path: its most specific known segment. */
function tagOf(path: string): string {
  const rules: [RegExp, string][] = [
    [/^\/portal\/v1\/(auth|me)(\/|$)/, 'Portal: accounts'],
    [/^\/portal\/v1\/(apps\/|teams\/[^/]+\/apps)/, 'Portal: applications'],
    [/^\/portal\/v1\//, 'Portal: teams'],
    [/^\/v1\/(webhooks|hooks)(\/|$)/, 'Webhooks'],
    [/^\/v1\/auth\//, 'Auth'],
    [/^\/v1\/users/, 'Users'],
    [/^\/v1\/search/, 'Search'],
    [/^\/v1\/(uploads|storage|upload-policy)(\/|$)/, 'Uploads'],
    [/\/(unread|read)$/, 'Reads'],
    [/\/draft$/, 'Drafts'],
    [/\/reactions/, 'Reactions'],
    [/\/(members|bans|mute|unmute)(\/|$)/, 'Members'],
    [/\/(messages|replies|pin)(\/|$)/, 'Messages'],
  ];
  return rules.find(([pattern]) => pattern.test(path))?.[1] ?? 'Channels';
}

/** The error responses, one per status, each listing the codes it may carry. */
const ERROR_RESPONSES = Object.fromEntries(
  [400, 401, 403, 404, 408, 409, 410, 413, 422, 429, 500, 503].map((status) => {
    const codes = Object.entries(ERROR_CODES)
      .filter(([, info]) => info.status === status)
      .map(([code, info]) => `\`${code}\`: ${info.description}`);
    return [
      `Error${status}`,
      {
        description: codes.join(' '),
        ...(status === 429 || status === 503
          ? {
              headers: {
                'Retry-After': {
                  description: 'Seconds to wait before retrying (also `error.details.retry_after_ms`).',
                  schema: { type: 'integer', minimum: 0 },
                },
              },
            }
          : {}),
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: { error: { $ref: '#/components/schemas/ErrorBody' } },
              required: ['error'],
              additionalProperties: false,
            },
          },
        },
      },
    ];
  }),
);

/** The errors an endpoint can answer: what every request can meet, and what its shape adds. */
function errorResponses(e: Endpoint | PortalEndpoint): Record<string, { $ref: string }> {
  // 403 for public routes too: an application may close registration.
  const statuses = [400, 401, 403, 408, 429, 500, 503];
  if (e.auth !== 'public' || e.params) statuses.push(404);
  if (e === portalEndpoints.acceptTeamInvite) statuses.push(410);
  if (e.body) statuses.push(413);
  if (e.method !== 'GET') statuses.push(409);
  // The upload policy's refusals (`upload_refused`), and an upload attached before it is ready
  // or attached twice (messages that take attachments).
  const attaches = e === endpoints.sendMessage || e === endpoints.updateMessage;
  if ((e.method === 'POST' && e.path.startsWith('/v1/uploads')) || attaches) statuses.push(422);
  // A resumable upload's parts: a completed upload has none (409); parts gone, or a part the
  // storage does not have, are refused (422).
  if (e.path.startsWith('/v1/uploads/{uploadId}/parts')) {
    for (const status of [409, 422]) if (!statuses.includes(status)) statuses.push(status);
  }
  return Object.fromEntries(
    statuses.sort().map((status) => [String(status), { $ref: `#/components/responses/Error${status}` }]),
  );
}

const ok = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] };

const storageToken = {
  name: 'token',
  in: 'query',
  required: true,
  description: 'The signed, expiring token of the URL the server handed out (not a login).',
  schema: { type: 'string' },
};
const storageError = (status: number) => ({ $ref: `#/components/responses/Error${status}` });
/** Disk storage's signed URLs (S3 serves its own): where a client sends an upload, and reads a file. */
const STORAGE_PATHS: Record<string, Record<string, unknown>> = {
  '/v1/storage/upload': {
    put: {
      operationId: 'storageUpload',
      summary: 'Send an upload’s bytes (the `target.url` of createUpload, on disk storage)',
      tags: ['Uploads'],
      security: [],
      parameters: [storageToken],
      requestBody: {
        required: true,
        description: 'The raw bytes, at most the size announced.',
        content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
      },
      responses: {
        200: {
          description: 'Stored; complete the upload next.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { ok: { type: 'boolean' }, size: { type: 'integer' } },
                required: ['ok', 'size'],
              },
            },
          },
        },
        403: storageError(403),
        413: storageError(413),
      },
    },
  },
  '/v1/storage/part': {
    put: {
      operationId: 'storageUploadPart',
      summary: 'Send one part of a resumable upload (a `url` of signUploadParts, on disk storage)',
      tags: ['Uploads'],
      security: [],
      parameters: [storageToken],
      requestBody: {
        required: true,
        description: 'The part’s raw bytes, at most the part size.',
        content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
      },
      responses: {
        200: {
          description: 'Stored; the `ETag` header (also in the body) is what recordUploadPart takes.',
          headers: { ETag: { schema: { type: 'string' }, description: 'The part’s MD5, quoted' } },
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { ok: { type: 'boolean' }, size: { type: 'integer' }, etag: { type: 'string' } },
                required: ['ok', 'size', 'etag'],
              },
            },
          },
        },
        403: storageError(403),
        404: storageError(404),
        413: storageError(413),
      },
    },
  },
  '/v1/storage/file': {
    get: {
      operationId: 'storageFile',
      summary: 'Read a file (an upload’s `url`): usable in `<img src>`, with Range requests',
      tags: ['Uploads'],
      security: [],
      parameters: [
        storageToken,
        { name: 'Range', in: 'header', required: false, schema: { type: 'string', example: 'bytes=0-1023' } },
      ],
      responses: {
        200: {
          description: 'The file, `nosniff`, inline for media, a download otherwise.',
          content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
        },
        206: {
          description: 'The range asked for.',
          content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
        },
        403: storageError(403),
        404: storageError(404),
        416: { description: 'The range is outside the file.' },
      },
    },
  },
};
/** The routes outside the protocol table: probes, the documents and their pages. */
const OPERATIONS_PATHS: Record<string, Record<string, unknown>> = {
  '/healthz': {
    get: {
      operationId: 'healthz',
      summary: 'Liveness: the process is up',
      tags: ['Operations'],
      security: [],
      responses: { 200: { description: 'OK', content: { 'application/json': { schema: ok } } } },
    },
  },
  '/readyz': {
    get: {
      operationId: 'readyz',
      summary: 'Readiness: 503 with the reasons while starting, draining or degraded',
      tags: ['Operations'],
      security: [],
      responses: {
        200: { description: 'Ready', content: { 'application/json': { schema: ok } } },
        503: {
          description: 'Not ready, or degraded (Redis or the database away)',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { ok: { const: false }, reasons: { type: 'array', items: { type: 'string' } } },
                required: ['ok', 'reasons'],
              },
            },
          },
        },
      },
    },
  },
  '/v1/asyncapi.json': {
    get: {
      operationId: 'asyncapi',
      summary: 'The AsyncAPI 3 document of the WebSocket protocol',
      tags: ['Operations'],
      security: [],
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } },
      },
    },
  },
  '/v1/openapi.json': {
    get: {
      operationId: 'openapi',
      summary: 'This document',
      tags: ['Operations'],
      security: [],
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } },
      },
    },
  },
  '/v1/docs': {
    get: {
      operationId: 'docsPage',
      summary: 'This document as a web page (Redoc)',
      tags: ['Operations'],
      security: [],
      responses: { 200: { description: 'OK', content: { 'text/html': { schema: { type: 'string' } } } } },
    },
  },
  '/v1/docs/socket': {
    get: {
      operationId: 'socketDocsPage',
      summary: 'The AsyncAPI document of the WebSocket protocol as a web page',
      tags: ['Operations'],
      security: [],
      responses: { 200: { description: 'OK', content: { 'text/html': { schema: { type: 'string' } } } } },
    },
  },
};

/**
 * Values for the patterns a sampler cannot invent (it fills a string with "string"), keyed by
 * the pattern's text; given to those schemas as `examples`.
 */
const PATTERN_EXAMPLES: Record<string, string> = {
  '^(messaging|team|livestream):[A-Za-z0-9_\\-!]{1,64}$': 'messaging:general',
  '^[\\w.+-]+\\/[\\w.+-]+$': 'image/png',
  '^[A-Za-z0-9_\\-!]+$': 'general',
  '^[A-Za-z0-9_\\-.@!]+$': 'c-7f3e9b21',
};

function addPatternExamples(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) addPatternExamples(item);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const schema = value as JsonSchema;
  const example = typeof schema.pattern === 'string' ? PATTERN_EXAMPLES[schema.pattern] : undefined;
  if (example && !schema.examples) schema.examples = [example];
  for (const inner of Object.values(schema)) addPatternExamples(inner);
}

/** Gives every request and response body an example, generated from its schema (so it fits it). */
function addExamples(document: JsonSchema): void {
  addPatternExamples(document.components);
  const paths = document.paths as Record<string, Record<string, Record<string, unknown>>>;
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      const bodies = [
        (operation.requestBody as { content?: Record<string, JsonSchema> } | undefined)?.content,
        ...Object.values(
          (operation.responses as Record<string, { content?: Record<string, JsonSchema> }>) ?? {},
        ).map((response) => response.content),
      ];
      for (const content of bodies) {
        const media = content?.['application/json'];
        if (media?.schema)
          media.example = sample(media.schema as never, { skipReadOnly: true }, document as never);
      }
    }
  }
}
