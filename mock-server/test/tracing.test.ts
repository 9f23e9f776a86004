import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTracingConfig } from '../src/observability/tracing';
import type { ChatServer } from '../src/startup/server';
import { clientId, startTestServer } from './api';
import { createChannel, send } from './rest-helpers';
import { appOn, closeSockets } from './ws-fixtures';

/**
 * OpenTelemetry tracing, on when an OTLP endpoint is configured: spans of HTTP requests and
 * socket frames reach a collector (here a fake OTLP/HTTP receiver that keeps what it is sent),
 * continuing the caller's trace.
 */

interface OtlpSpan {
  traceId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: Record<string, unknown> }[];
  status?: { code?: number };
}

const received: { resource: unknown; spans: OtlpSpan[] }[] = [];
let collector: Server;
let server: ChatServer;
beforeAll(async () => {
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type']?.includes('json')) {
        const parsed = JSON.parse(body) as {
          resourceSpans: { resource: unknown; scopeSpans: { spans: OtlpSpan[] }[] }[];
        };
        for (const r of parsed.resourceSpans)
          received.push({ resource: r.resource, spans: r.scopeSpans.flatMap((s) => s.spans) });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const { port } = collector.address() as AddressInfo;
  server = await startTestServer({
    tracing: {
      tracesUrl: `http://127.0.0.1:${port}/v1/traces`,
      serviceName: 'chat-under-test',
      exportDelayMs: 100,
    },
  });
});
afterAll(async () => {
  await closeSockets();
  await server?.close();
  await new Promise((resolve) => collector?.close(resolve));
});

const spans = () => received.flatMap((r) => r.spans);
const attribute = (span: OtlpSpan, key: string) => span.attributes.find((a) => a.key === key)?.value;

describe('tracing', () => {
  it('exports a span per request and per frame, continuing the caller’s trace', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice', 'bob');
    const cid = await createChannel(alice!, 'traced', ['bob']);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = '00f067aa0ba902b7';
    const reply = await alice!.request(
      'POST',
      '/v1/channels/messaging/traced/messages',
      { client_msg_id: clientId(), text: 'a traced send' },
      { traceparent: `00-${traceId}-${parent}-01` },
    );
    expect(reply.status).toBe(201);
    const a = await t.connect('alice');
    await a.ok({ type: 'channel.watch', cid });
    await send(alice!, cid, 'untraced caller');

    await expect
      .poll(() => spans().some((s) => s.name === 'ws channel.watch'), { timeout: 10_000, interval: 100 })
      .toBe(true);
    const post = spans().find((s) => s.traceId === traceId)!;
    expect(post.name).toBe('POST /v1/channels/:type/:id/messages');
    expect(post.parentSpanId).toBe(parent);
    expect(attribute(post, 'http.route')).toEqual({ stringValue: '/v1/channels/:type/:id/messages' });
    expect(attribute(post, 'http.response.status_code')).toEqual({ intValue: 201 });
    // Neither the text nor a query string is in a span.
    expect(JSON.stringify(received)).not.toContain('a traced send');
    const resource = JSON.stringify(received[0]!.resource);
    expect(resource).toContain('chat-under-test');
    const watch = spans().find((s) => s.name === 'ws channel.watch')!;
    expect(attribute(watch, 'chat.frame.type')).toEqual({ stringValue: 'channel.watch' });
  });

  it('reads the standard variables, and refuses an endpoint that is not a URL', () => {
    expect(loadTracingConfig({})).toBeNull();
    expect(loadTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toEqual({
      tracesUrl: 'http://collector:4318/v1/traces',
      serviceName: 'chat-server',
    });
    expect(
      loadTracingConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector/traces',
        OTEL_SERVICE_NAME: 'chat-eu',
      }),
    ).toEqual({ tracesUrl: 'https://collector/traces', serviceName: 'chat-eu' });
    expect(() => loadTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      /http\(s\) URL/,
    );
  });
});
