import { DiagnosticSeverity, type MessageInterface, Parser } from '@asyncapi/parser';
import { chatEvent, clientFrame } from '@chat/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { getTestServer } from './api';

/**
 * The served AsyncAPI document, checked by the AsyncAPI parser (the reference tooling: the
 * specification's JSON Schema, its rules, and every payload schema against the schema format):
 * it must report no error. And nothing the socket speaks may be left out of it.
 */

type Json = Record<string, any>;

let document: Json;
let parsed: Awaited<ReturnType<Parser['parse']>>;

beforeAll(async () => {
  const server = await getTestServer();
  const response = await fetch(`${server.url}/v1/asyncapi.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  document = (await response.json()) as Json;
  parsed = await new Parser().parse(JSON.stringify(document));
}, 60_000);

/** The `type` a message's payload has (its discriminator). */
const typeOf = (message: MessageInterface) => message.payload()?.properties()?.type?.const();

describe('the AsyncAPI document', () => {
  it('passes the AsyncAPI parser with no error', () => {
    const errors = parsed.diagnostics
      .filter((d) => d.severity === DiagnosticSeverity.Error)
      .map((d) => `${d.code}: ${d.message} at ${d.path.join('/')}`);
    expect(errors).toEqual([]);
    expect(parsed.document).toBeDefined();
    expect(parsed.document!.version()).toBe('3.0.0');
  });

  it('has a message for every client frame, sent with an ack or error reply', () => {
    const api = parsed.document!;
    const sent = api.operations().filterBySend();
    for (const option of clientFrame.options) {
      const type = option.shape.type.value;
      const operation = sent.find((op) =>
        op
          .messages()
          .all()
          .some((m) => typeOf(m) === type),
      );
      expect(operation, `no send operation for ${type}`).toBeDefined();
      const replies = operation!.reply()?.messages().all() ?? [];
      expect(replies.map(typeOf).sort(), type).toEqual(['ack', 'error']);
    }
  });

  it('has a message for every server event, received', () => {
    const received = parsed.document!.operations().filterByReceive();
    const types = received.flatMap((op) => op.messages().all().map(typeOf));
    for (const option of chatEvent.options) expect(types).toContain(option.shape.type.value);
    expect(types).toContain('error');
  });

  it('describes the server, the api key, the handshake, heartbeats, recovery and close codes', () => {
    const server = parsed.document!.servers().all()[0]!;
    expect(server.protocol()).toBe('ws');
    expect(server.pathname()).toBe('/v1/ws');
    expect(document.channels.socket.bindings.ws.query.required).toEqual(['api_key']);
    const description: string = document.info.description;
    for (const topic of ['## Handshake', '## Heartbeats', '## Ordering and recovery', '## Close codes'])
      expect(description).toContain(topic);
    expect(document.info.license.name).toBe('MIT');
    // Nothing zod could only call __schemaN, no reference into a schema's own definitions.
    expect(JSON.stringify(document)).not.toMatch(/__schema|#\/\$defs\/|#\/definitions\//);
  });
});
