import { createHash } from 'node:crypto';
import * as protocol from '@chat/protocol';
import {
  ackFrame,
  ackResults,
  CHANNEL_EVENT_TYPES,
  type ChatEventType,
  CLOSE_CODES,
  type ClientFrameType,
  chatEvent,
  clientFrame,
  errorFrame,
  LIMITS,
  TERMINAL_CLOSE_CODES,
} from '@chat/protocol';
import { z } from 'zod';
import { MAX_REPLAY_EVENTS } from '../events/channel-events';
import { loadRealtimeConfig } from '../startup/config';

type JsonSchema = Record<string, unknown>;
type Io = 'input' | 'output';

/**
 * The AsyncAPI 3.0 document of the WebSocket protocol (`GET /v1/ws`), generated from the
 * protocol's own schemas (frames, ack results, events, close codes, limits), so the socket and
 * its description cannot drift apart. Operations are seen from a client: it `send`s request
 * frames (each with an ack or error reply) and `receive`s events.
 *
 * Payload schemas are JSON Schema draft-07, AsyncAPI's default schema format (the AsyncAPI
 * parser validates no other JSON Schema dialect). Every schema the protocol exports is a named
 * component, and what zod puts in a schema's own `definitions` is hoisted into
 * `components/schemas`, so every `$ref` resolves from the document's root.
 */
export function buildAsyncApiDocument(version: string): JsonSchema {
  const schemas = new SchemaComponents();
  const messages: Record<string, JsonSchema> = {};
  const operations: Record<string, JsonSchema> = {};
  const ref = (key: string) => ({ $ref: `#/channels/${CHANNEL}/messages/${key}` });
  const correlationId = { $ref: '#/components/correlationIds/frameId' };

  // Server messages first: they are the canonical form of a shared schema (a client frame's
  // differing form of it, if any, becomes `…Input`).
  messages.error = {
    name: 'error',
    title: 'error',
    summary: 'A request failed, or a connection-level error',
    description:
      'The answer to a failed request (with its `id`), or, without an `id`, a problem with the ' +
      'connection or with a frame whose id could not be read. `error.code` is stable; tell errors ' +
      'apart by it, never by `message`. A request that fails changed nothing.',
    payload: schemas.ref(errorFrame, 'output', 'ErrorFrame'),
    correlationId,
  };
  for (const option of chatEvent.options) {
    const type = option.shape.type.value as ChatEventType;
    messages[eventKey(type)] = {
      name: type,
      title: type,
      summary: EVENTS[type],
      ...(sequenceNote(type) && { description: `${EVENTS[type]}. ${sequenceNote(type)}` }),
      payload: schemas.ref(option, 'output', `${pascal(type)}Event`),
    };
  }
  for (const type of clientFrameTypes()) {
    const result = ackResults[type];
    messages[ackKey(type)] = {
      name: 'ack',
      title: `ack of ${type}`,
      summary: `The answer to \`${type}\`: ${ACKS[type]}`,
      payload: schemas.ref(ackFrame.extend({ result }), 'output', `${pascal(type)}Ack`),
      correlationId,
    };
  }
  for (const option of clientFrame.options) {
    const type = option.shape.type.value as ClientFrameType;
    messages[requestKey(type)] = {
      name: type,
      title: type,
      summary: REQUESTS[type],
      payload: schemas.ref(option, 'input', `${pascal(type)}Frame`),
      correlationId,
    };
    operations[`send${pascal(type)}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${CHANNEL}` },
      title: `Send ${type}`,
      summary: REQUESTS[type],
      messages: [ref(requestKey(type))],
      reply: { channel: { $ref: `#/channels/${CHANNEL}` }, messages: [ref(ackKey(type)), ref('error')] },
    };
  }
  for (const option of chatEvent.options) {
    const type = option.shape.type.value as ChatEventType;
    operations[`receive${pascal(type)}`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${CHANNEL}` },
      title: `Receive ${type}`,
      summary: EVENTS[type],
      messages: [ref(eventKey(type))],
    };
  }
  operations.receiveError = {
    action: 'receive',
    channel: { $ref: `#/channels/${CHANNEL}` },
    title: 'Receive a connection-level error',
    summary: 'An error frame without an id: a frame that could not be read, or a flood.',
    messages: [ref('error')],
  };

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Chat WebSocket protocol',
      version,
      description: describeProtocol(),
      license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
    },
    defaultContentType: 'application/json',
    servers: {
      chat: {
        host: '{host}',
        protocol: 'ws',
        pathname: '/v1/ws',
        title: 'The chat server',
        description:
          'The server that serves this document. Connect with `GET /v1/ws?api_key=…` (a server ' +
          'behind TLS is reached with `wss`). A missing or unknown api key is refused with HTTP 401 ' +
          'before the upgrade, an origin the application does not allow with 403, and a server ' +
          'that is draining with 503 (connect again, another node takes it).',
        variables: {
          host: { default: 'localhost:8080', description: 'Host and port of the chat server.' },
        },
        security: [{ $ref: '#/components/securitySchemes/apiKey' }],
      },
    },
    channels: {
      [CHANNEL]: {
        title: 'The socket',
        summary: 'One WebSocket connection: JSON text frames in both directions.',
        description:
          `The socket at the server's pathname (\`/v1/ws\`). Every frame is one JSON object in a ` +
          `text frame of at most ${LIMITS.FRAME_BYTES} bytes, with a \`type\`. Close codes are listed ` +
          'in `x-close-codes` (and in the description of this document).',
        servers: [{ $ref: '#/servers/chat' }],
        messages: Object.fromEntries(
          Object.keys(messages).map((key) => [key, { $ref: `#/components/messages/${key}` }]),
        ),
        bindings: {
          ws: {
            method: 'GET',
            query: {
              type: 'object',
              properties: {
                api_key: {
                  type: 'string',
                  minLength: 1,
                  maxLength: 256,
                  description:
                    'The application api key. Clients that can set headers may send `X-Api-Key` instead.',
                },
              },
              required: ['api_key'],
            },
            bindingVersion: '0.1.0',
          },
        },
        'x-close-codes': closeCodes(),
      },
    },
    operations,
    components: {
      schemas: schemas.schemas,
      messages,
      correlationIds: {
        frameId: {
          description:
            'The `id` of a request frame, chosen by the client; its `ack` or `error` carries the same `id`.',
          location: '$message.payload#/id',
        },
      },
      securitySchemes: {
        apiKey: {
          type: 'httpApiKey',
          name: 'api_key',
          in: 'query',
          description:
            'The application api key, in the query of the upgrade request. The user is named ' +
            'afterwards, by the `auth` frame (a user token).',
        },
      },
    },
  };
}

/** A route handler that serves the document, built once. */
export function asyncApiRoute(version: string): () => Promise<JsonSchema> {
  const document = buildAsyncApiDocument(version);
  return async () => document;
}

const CHANNEL = 'socket';

const words = (type: string) => type.split(/[._]/).filter(Boolean);
const pascal = (type: string) =>
  words(type)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
const camel = (type: string) => {
  const p = pascal(type);
  return p.charAt(0).toLowerCase() + p.slice(1);
};
/** The component keys of a message: a request and an event may share a type (`typing.start`). */
export const requestKey = (type: string) => `${camel(type)}Request`;
export const ackKey = (type: string) => `${camel(type)}Ack`;
export const eventKey = (type: string) => `${camel(type)}Event`;

/** How an event takes part in its channel's `seq` order (see "Ordering and recovery"). */
function sequenceNote(type: ChatEventType): string | undefined {
  if (!(CHANNEL_EVENT_TYPES as readonly string[]).includes(type)) return undefined;
  if (type.startsWith('notification.'))
    return "Sent to members who do not watch the channel: not part of the watched channel's sequence.";
  if (type.startsWith('typing.') || type === 'channel.watchers')
    return "Carries the channel's current `seq` without taking one: not part of the sequence.";
  return "Carries the `seq` it took: apply the channel's events in seq order, and watch again with `since` when one is skipped.";
}

const clientFrameTypes = () => clientFrame.options.map((o) => o.shape.type.value as ClientFrameType);

/**
 * The named schemas of the document. Each protocol export is named after its export name
 * (`Message`, `WatchFrame`…); a definition zod could only call `__schemaN` (a shared or
 * recursive part no export names) gets a name from its content, so it is the same in every
 * build and identical parts share one component.
 */
export class SchemaComponents {
  readonly schemas: Record<string, JsonSchema> = {};
  private readonly texts = new Map<string, string>();
  private readonly names = z.registry<{ id: string }>();

  constructor() {
    // `idString` is also exported as `userId` and `clientMessageId`: the generic name fits all.
    this.names.add(protocol.idString, { id: 'IdString' });
    for (const [exportName, value] of Object.entries(protocol)) {
      if (value instanceof z.ZodType && !this.names.has(value))
        this.names.add(value, { id: exportName.charAt(0).toUpperCase() + exportName.slice(1) });
    }
  }

  /** A `$ref` to `schema` as a component (named by its export name, else `fallback`). */
  ref(schema: z.ZodType, io: Io, fallback: string): JsonSchema {
    const json = z.toJSONSchema(schema, {
      io,
      metadata: this.names,
      unrepresentable: 'any',
      target: 'draft-7',
    }) as JsonSchema;
    const { $schema: _schema, definitions, ...root } = json as JsonSchema & { definitions?: JsonSchema };
    const defs = { ...((definitions as Record<string, JsonSchema>) ?? {}) };
    let rootKey: string;
    const selfRef = typeof root.$ref === 'string' ? /^#\/definitions\/(.+)$/.exec(root.$ref)?.[1] : undefined;
    if (selfRef !== undefined && Object.keys(root).length === 1) rootKey = selfRef;
    else {
      rootKey = this.names.get(schema)?.id ?? fallback;
      if (rootKey in defs) throw new Error(`AsyncAPI: ${rootKey} names two schemas`);
      defs[rootKey] = root;
    }

    const renamed = this.nameDefinitions(defs, rootKey);
    // A name taken by a different schema: a client frame's form of a shared schema becomes
    // `…Input`; anything else is a real clash, which must not pass silently.
    for (let round = 0; round < 4; round++) {
      let moved = false;
      for (const [key, value] of Object.entries(defs)) {
        const name = renamed.get(key)!;
        const existing = this.texts.get(name);
        if (existing === undefined || existing === JSON.stringify(pointRefs(value, renamed, rootKey)))
          continue;
        if (io !== 'input' || name.endsWith('Input'))
          throw new Error(`AsyncAPI: two different schemas named ${name}`);
        renamed.set(key, `${name}Input`);
        moved = true;
      }
      if (!moved) break;
    }
    for (const [key, value] of Object.entries(defs)) {
      const name = renamed.get(key)!;
      const hoisted = pointRefs(value, renamed, rootKey) as JsonSchema;
      const text = JSON.stringify(hoisted);
      const existing = this.texts.get(name);
      if (existing !== undefined && existing !== text)
        throw new Error(`AsyncAPI: two different schemas named ${name}`);
      this.schemas[name] = hoisted;
      this.texts.set(name, text);
    }
    return { $ref: `#/components/schemas/${renamed.get(rootKey)}` };
  }

  /** Component names for the definitions: their own, or one from the content of an unnamed one. */
  private nameDefinitions(defs: Record<string, JsonSchema>, rootKey: string): Map<string, string> {
    const renamed = new Map<string, string>();
    const unnamed = (key: string) => /^__schema\d+$/.test(key);
    for (const key of Object.keys(defs)) if (!unnamed(key)) renamed.set(key, key);
    for (const [key, value] of Object.entries(defs)) {
      if (!unnamed(key)) continue;
      // Its content with references to itself and to other unnamed parts made neutral.
      const neutral = new Map(renamed);
      for (const other of Object.keys(defs))
        if (unnamed(other)) neutral.set(other, other === key ? '~self' : '~other');
      const digest = createHash('sha256')
        .update(JSON.stringify(pointRefs(value, neutral, rootKey)))
        .digest('hex')
        .slice(0, 10);
      renamed.set(key, `Schema_${digest}`);
    }
    return renamed;
  }
}

/** Points `#/definitions/X` (and the root's `#`) references at the components they became. */
function pointRefs(value: unknown, renamed: ReadonlyMap<string, string>, rootKey: string): unknown {
  if (Array.isArray(value)) return value.map((item) => pointRefs(item, renamed, rootKey));
  if (!value || typeof value !== 'object') return value;
  const out: JsonSchema = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === '$ref' && typeof inner === 'string') {
      const target = inner === '#' ? rootKey : /^#\/definitions\/(.+)$/.exec(inner)?.[1];
      if (target === undefined || !renamed.has(target))
        throw new Error(`AsyncAPI: a reference that cannot be resolved: ${inner}`);
      out[key] = `#/components/schemas/${renamed.get(target)}`;
    } else out[key] = pointRefs(inner, renamed, rootKey);
  }
  return out;
}

const REQUESTS = {
  auth: 'Authenticates the socket with a user token; the first frame to send',
  'channel.watch':
    "Starts receiving a channel's events; with `since`, recovers the events missed after that seq",
  'channel.unwatch': "Stops receiving a channel's events",
  'message.send': 'Sends a message (idempotent by `message.client_msg_id`)',
  'message.update': 'Edits a message of the caller',
  'message.delete': 'Deletes a message (soft: it stays as a `deleted` message)',
  'reaction.add': 'Adds a reaction of the caller to a message',
  'reaction.remove': 'Removes a reaction of the caller from a message',
  'typing.start': 'Says the caller is typing in a channel (or a thread, with `parent_id`)',
  'typing.stop': 'Says the caller stopped typing',
  'read.mark': 'Marks a channel read, up to a message or to its latest',
  ping: 'A heartbeat from the client, for clients that cannot answer WebSocket pings',
} as const satisfies Record<ClientFrameType, string>;

const ACKS = {
  auth: '`connection_id`; `connection.ok` follows.',
  'channel.watch':
    '`recovered` with the missed `events` (after `since`), or a fresh `state`; and the watcher count.',
  'channel.unwatch': 'an empty object.',
  'message.send': 'the stored message (the delivery receipt).',
  'message.update': 'the edited message.',
  'message.delete': 'the deleted message.',
  'reaction.add': 'the message with its reaction counts.',
  'reaction.remove': 'the message with its reaction counts.',
  'typing.start': 'an empty object.',
  'typing.stop': 'an empty object.',
  'read.mark': "the caller's read state of the channel.",
  ping: 'an empty object.',
} as const satisfies Record<ClientFrameType, string>;

const EVENTS = {
  'connection.ok': 'The socket is authenticated: the user and their unread counts',
  'health.check': 'The server heartbeat, sent periodically to every socket',
  'message.new': 'A message was sent to a watched channel',
  'message.updated': 'A message was edited, pinned or unpinned, or got or lost link previews',
  'message.deleted': 'A message was deleted',
  'reaction.new': 'A reaction was added to a message',
  'reaction.deleted': 'A reaction was removed from a message',
  'typing.start': 'A member started typing',
  'typing.stop': 'A member stopped typing (or their typing expired)',
  'channel.watchers': 'The number of users watching the channel changed (coalesced, about once a second)',
  'message.read': 'A member read the channel up to a message',
  'user.presence.changed': 'A user who shares a channel with the caller went online or offline',
  'channel.created': 'A channel the caller belongs to was created',
  'channel.updated': 'A channel was updated (name, custom data, frozen…)',
  'channel.deleted': 'A channel was deleted',
  'channel.truncated': 'A channel was truncated: its earlier messages are hidden',
  'member.added': 'A member joined the channel',
  'member.updated': "A member's role, mute or ban changed",
  'member.removed': 'A member left or was removed',
  'notification.message_new': 'A message in a channel the caller belongs to but does not watch',
  'notification.added_to_channel': 'The caller was added to a channel',
  // User safety.
  'event.hidden':
    "A channel event the caller may not see took this seq (a blocked or shadow-banned user's message): advance past it",
  'user.blocked': 'The caller blocked a user (sent to all of their own sockets)',
  'user.unblocked': 'The caller unblocked a user (sent to all of their own sockets)',
  'user.banned': 'The caller was banned from the application; the socket closes with APP_BANNED next',
} as const satisfies Record<ChatEventType, string>;

/** What each close code means and what a client does about it. */
const CLOSE_CODE_ACTIONS = {
  UNSUPPORTED_DATA:
    'A binary frame arrived: the protocol is JSON in text frames. Fix the client; do not reconnect.',
  MESSAGE_TOO_BIG: `A frame was larger than ${LIMITS.FRAME_BYTES} bytes. Reconnect, and do not resend that frame.`,
  INTERNAL_ERROR: 'The server failed while setting up the connection. Reconnect with backoff.',
  SERVICE_RESTART:
    'The server is restarting or draining. Reconnect (another node takes it) and recover with `since`.',
  TRY_AGAIN_LATER:
    'A dependency of the server (its database) is unavailable or saturated. Reconnect with backoff.',
  UNAUTHENTICATED: 'The token was missing, invalid or not for this application. Do not reconnect with it.',
  TOKEN_EXPIRED: 'The token expired. Get a fresh one, then reconnect.',
  AUTH_TIMEOUT: 'No `auth` frame arrived in time after connecting. Reconnect and send `auth` at once.',
  POLICY_VIOLATION: 'Repeated invalid frames or a flood. Fix the client; do not reconnect in a loop.',
  TOO_MANY_CONNECTIONS: 'The user has too many open connections. Close another before reconnecting.',
  SLOW_CONSUMER:
    "The client read too slowly and the server's send buffer overflowed. Reconnect and recover with `since`.",
  HEARTBEAT_TIMEOUT:
    'Nothing arrived from the client within the heartbeat timeout. Reconnect and recover with `since`.',
  APP_BANNED:
    'The user is banned from the application (the `app_banned` error says until when). Do not reconnect before then.',
  APP_DISABLED:
    'The application is disabled by its team (the `app_disabled` error). Do not reconnect until it is enabled.',
} as const satisfies Record<keyof typeof CLOSE_CODES, string>;

/** Codes the WebSocket layer (the `ws` library) closes with by itself. */
const TRANSPORT_CLOSE_CODES = [
  {
    code: 1007,
    name: 'INVALID_PAYLOAD',
    action:
      'A text frame was not valid UTF-8 (closed by the WebSocket layer). Fix the client; do not resend it.',
    reconnect: false,
  },
];

function closeCodes() {
  const own = (Object.entries(CLOSE_CODES) as [keyof typeof CLOSE_CODES, number][]).map(([name, code]) => ({
    code,
    name,
    action: CLOSE_CODE_ACTIONS[name],
    reconnect: !TERMINAL_CLOSE_CODES.has(code),
  }));
  return [...own, ...TRANSPORT_CLOSE_CODES].sort((a, b) => a.code - b.code);
}

/** The handshake, heartbeats, request matching, recovery, limits and close codes, in Markdown. */
function describeProtocol(): string {
  const realtime = loadRealtimeConfig({});
  const seconds = (ms: number) => `${ms / 1000} s`;
  const limits = (Object.entries(LIMITS) as [string, number][])
    .map(([name, value]) => `| \`${name}\` | ${value} |`)
    .join('\n');
  const codes = closeCodes()
    .map((c) => `| ${c.code} | \`${c.name}\` | ${c.reconnect ? 'yes' : 'no'} | ${c.action} |`)
    .join('\n');
  return `The WebSocket protocol of the chat reference server: JSON text frames, each an object with a \`type\`. Operations are described from a client's side: it **sends** request frames and **receives** their answers and events. The REST API is described by \`/v1/openapi.json\`.

## Handshake

1. Connect to \`GET /v1/ws?api_key=<application api key>\`. A missing or unknown key is refused with HTTP 401 before the upgrade.
2. Send \`{"type":"auth","id":"1","token":"<user token>"}\` within the auth timeout (${seconds(realtime.authTimeoutMs)} by default), or the server closes with 4003. The token is a user token (HS256 JWT signed with the application secret, \`user_id\` claim).
3. The server answers \`{"type":"ack","id":"1","result":{"connection_id":"…"}}\`, then the event \`connection.ok\` with the user and their unread counts. A bad token is answered with an \`error\` frame and close 4001 (4002 when it expired); too many connections of the user with \`rate_limited\` and close 4009. Any other frame before \`auth\` is answered with \`unauthenticated\`.

## Requests, acks and errors

Every client frame is a request with an \`id\` (1–64 characters, unique among the socket's pending requests). The server answers each with exactly one \`ack\` of the same \`id\` (its \`result\` depends on the request's type) or one \`error\` of the same \`id\` (\`{ code, message, status, retryable, details? }\`); a request that fails changed nothing. A socket's requests are served in the order they were sent. An \`error\` without an \`id\` answers a frame whose id could not be read. Writes are idempotent: \`message.send\` with a \`client_msg_id\` already used returns the original message, so a client retries after a lost ack with the same frame.

## Heartbeats

The server sends \`health.check\` (and a WebSocket ping) every ${seconds(realtime.heartbeatIntervalMs)} by default. Any frame from the client, or a pong, counts as a sign of life; a socket silent for ${seconds(realtime.heartbeatTimeoutMs)} is closed with 4011. Browsers answer pings by themselves; a client that cannot should send \`ping\` frames (acked with \`{}\`). A client that receives no \`health.check\` for about two intervals should consider the connection dead and reconnect.

## Ordering and recovery

Each channel has a \`seq\` that grows by one with every event it stores, and every event about a channel carries its \`cid\` and \`seq\`. \`typing.*\` and \`channel.watchers\` carry the channel's current \`seq\` without taking one, and \`notification.*\` go to members who do not watch the channel: leave those out of the sequence. Apply the others in \`seq\` order and drop one whose \`seq\` is already held. On a gap, and after every reconnect (and \`auth\`), send \`channel.watch\` with \`since\` = the last \`seq\` held: its ack says \`recovered: true\` with the missed \`events\` in order (at most ${MAX_REPLAY_EVENTS}), or \`recovered: false\` with a fresh \`state\` that replaces what the client held (the gap was too large, no longer kept, or crossed a truncate). Without \`since\`, \`channel.watch\` answers the channel's state.

## Limits

A frame is at most ${LIMITS.FRAME_BYTES} bytes (larger: close 1009). By default a socket may send ${realtime.framesPerWindow} frames per ${seconds(realtime.frameWindowMs)} (more are answered with \`rate_limited\` and \`details.retry_after_ms\`), a user ${realtime.writes.points} writes per ${realtime.writes.durationSeconds} s, and ${realtime.invalidFramesPerWindow} invalid frames per ${seconds(realtime.frameWindowMs)} close the socket with 4008. A user has at most ${realtime.maxConnectionsPerUser} sockets open. The sizes of the content:

| Limit | Value |
| --- | --- |
${limits}

## Close codes

| Code | Name | Reconnect | What the client does |
| --- | --- | --- | --- |
${codes}

## Compatibility

The schemas describe exactly what this version sends. Clients should ignore properties and events they do not know: a newer server may add some.`;
}
