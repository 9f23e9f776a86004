import { ackResults, CLOSE_CODES, chatEvent, clientFrame, TERMINAL_CLOSE_CODES } from '@chat/protocol';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ackKey, buildAsyncApiDocument, eventKey, requestKey, SchemaComponents } from './asyncapi';

type Json = Record<string, any>;

const document = buildAsyncApiDocument('1.2.3') as Json;

/** Every `$ref` in `value`, with where it is. */
function refsOf(value: unknown, at = '#'): [string, string][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => refsOf(item, `${at}/${i}`));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string'
      ? [[at, inner] as [string, string]]
      : refsOf(inner, `${at}/${key}`),
  );
}

function resolve(pointer: string): unknown {
  return pointer
    .slice(2)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<any>((node, segment) => node?.[segment], document);
}

/** Ajv (draft-07, the document's schema format) over the document's payload schemas. */
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(document, 'asyncapi.json');
const payloadOf = (key: string) => ajv.compile({ $ref: `asyncapi.json#/components/messages/${key}/payload` });

describe('buildAsyncApiDocument', () => {
  it('is AsyncAPI 3.0 with the server version, MIT, and one ws server at /v1/ws', () => {
    expect(document.asyncapi).toBe('3.0.0');
    expect(document.info.version).toBe('1.2.3');
    expect(document.info.license.name).toBe('MIT');
    expect(Object.values(document.servers)).toEqual([
      expect.objectContaining({ host: '{host}', protocol: 'ws', pathname: '/v1/ws' }),
    ]);
  });

  it('resolves every reference inside the document, with no definitions left behind', () => {
    const refs = refsOf(document);
    expect(refs.length).toBeGreaterThan(100);
    for (const [at, ref] of refs) {
      expect(ref, at).toMatch(/^#\//);
      expect(resolve(ref), `${at} → ${ref}`).toBeDefined();
    }
    expect(JSON.stringify(document)).not.toMatch(/__schema|"definitions"|"\$defs"|"\$schema"/);
  });

  it('has a request, an ack and a send operation for every client frame, an event for every event', () => {
    for (const option of clientFrame.options) {
      const type = option.shape.type.value;
      expect(document.components.messages[requestKey(type)]?.name, type).toBe(type);
      expect(document.components.messages[ackKey(type)]?.name, type).toBe('ack');
      const send = Object.values(document.operations as Record<string, Json>).find(
        (op) => op.action === 'send' && op.messages[0].$ref.endsWith(`/${requestKey(type)}`),
      );
      expect(
        send?.reply.messages.map((m: Json) => m.$ref.split('/').at(-1)),
        type,
      ).toEqual([ackKey(type), 'error']);
    }
    for (const option of chatEvent.options) {
      const type = option.shape.type.value;
      expect(document.components.messages[eventKey(type)]?.name, type).toBe(type);
    }
    // The channel lists every message of the document.
    expect(Object.keys(document.channels.socket.messages).sort()).toEqual(
      Object.keys(document.components.messages).sort(),
    );
  });

  it('lists every close code, marking the terminal ones', () => {
    const listed = document.channels.socket['x-close-codes'] as { code: number; reconnect: boolean }[];
    for (const code of Object.values(CLOSE_CODES)) {
      expect(listed.find((c) => c.code === code)?.reconnect, String(code)).toBe(
        !TERMINAL_CLOSE_CODES.has(code),
      );
      expect(document.info.description).toContain(`| ${code} |`);
    }
  });

  it('accepts what the protocol accepts, and refuses what it refuses', () => {
    const frames: Json[] = [
      { type: 'auth', id: '1', token: 'eyJhbGciOiJIUzI1NiJ9.e30.c2ln' },
      { type: 'channel.watch', id: '2', cid: 'messaging:general', since: 41 },
      {
        type: 'message.send',
        id: '3',
        cid: 'messaging:general',
        message: { client_msg_id: 'c-1', text: 'hi', custom: { a: [1, { b: null }] } },
      },
      { type: 'ping', id: '4' },
    ];
    for (const frame of frames) {
      expect(clientFrame.safeParse(frame).success).toBe(true);
      const validate = payloadOf(requestKey(frame.type));
      expect(validate(frame), ajv.errorsText(validate.errors)).toBe(true);
    }
    const refused: Json[] = [
      { type: 'ping' }, // no id
      { type: 'ping', id: '5', extra: true }, // unknown key
      { type: 'channel.watch', id: '6', cid: 'nope' }, // not a cid
      { type: 'channel.watch', id: '7', cid: 'messaging:general', since: -1 },
    ];
    for (const frame of refused) {
      expect(clientFrame.safeParse(frame).success, JSON.stringify(frame)).toBe(false);
      expect(payloadOf(requestKey(frame.type))(frame), JSON.stringify(frame)).toBe(false);
    }
    const ack = payloadOf(ackKey('auth'));
    expect(ack({ type: 'ack', id: '1', result: { connection_id: 'c' } })).toBe(true);
    expect(ack({ type: 'ack', id: '1', result: {} })).toBe(false);
    expect(ackResults.auth.safeParse({}).success).toBe(false);
    const error = payloadOf('error');
    expect(
      error({ type: 'error', error: { code: 'invalid_frame', message: 'x', status: 400, retryable: false } }),
    ).toBe(true);
    expect(
      error({ type: 'error', error: { code: 'nope', message: 'x', status: 400, retryable: false } }),
    ).toBe(false);
  });
});

describe('SchemaComponents', () => {
  it('hoists unnamed shared and recursive definitions under one stable name', () => {
    const schema = z.object({ a: z.json(), b: z.object({ c: z.json() }) });
    const components = new SchemaComponents();
    expect(components.ref(schema, 'output', 'Thing')).toEqual({ $ref: '#/components/schemas/Thing' });
    const names = Object.keys(components.schemas);
    const shared = names.filter((name) => name.startsWith('Schema_'));
    // Both json values are the same schema: one component, referring to itself.
    expect(shared).toHaveLength(1);
    const ref = `#/components/schemas/${shared[0]}`;
    expect(components.schemas.Thing!.properties).toMatchObject({
      a: { $ref: ref },
      b: { properties: { c: { $ref: ref } } },
    });
    expect(JSON.stringify(components.schemas[shared[0]!])).toContain(ref);
    // The same name in another build.
    const again = new SchemaComponents();
    again.ref(z.object({ other: z.json() }), 'output', 'Other');
    expect(Object.keys(again.schemas)).toContain(shared[0]);
  });

  it('names a recursive schema that refers to its root', () => {
    interface Node {
      children: Node[];
    }
    const node: z.ZodType<Node> = z.object({ children: z.array(z.lazy(() => node)) });
    const components = new SchemaComponents();
    const { $ref } = components.ref(node, 'output', 'Node');
    expect($ref).toBe('#/components/schemas/Node');
    expect(JSON.stringify(components.schemas.Node)).toContain('"#/components/schemas/Node"');
  });

  it('gives the input form of a schema its own name, and refuses two schemas of one name', () => {
    const components = new SchemaComponents();
    components.ref(z.object({ a: z.string() }), 'output', 'Thing');
    expect(components.ref(z.object({ a: z.number() }), 'input', 'Thing')).toEqual({
      $ref: '#/components/schemas/ThingInput',
    });
    expect(() => components.ref(z.object({ b: z.string() }), 'output', 'Thing')).toThrow(/two different/);
  });
});
