import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopback } from '../src/http/metrics-route';
import { loadHttpConfig } from '../src/startup/config';
import type { ChatServer } from '../src/startup/server';
import { clientId, startTestServer } from './api';
import { createChannel, send } from './rest-helpers';
import { Receiver } from './webhook-receiver';
import { appOn, closeSockets } from './ws-fixtures';

/**
 * `/metrics`: Prometheus's text format with the node's connections, messages, frame, request
 * and fan-out latencies, event-loop lag, job queues and webhook outcomes; who may scrape it.
 */

const TOKEN = 'a-metrics-token-of-some-length';
const receiver = new Receiver();
let server: ChatServer;
let guarded: ChatServer;
let production: ChatServer;
beforeAll(async () => {
  await receiver.start();
  server = await startTestServer({
    webhooks: { allowCidrs: ['127.0.0.1/32'], retryDelaySeconds: 1, retryLimit: 2, timeoutMs: 5_000 },
  });
  // Each on a database of its own: on the shared one their job workers would take the first
  // server's webhook deliveries.
  const alone = { store: undefined, dataDir: 'memory' };
  guarded = await startTestServer({ ...alone, http: { metricsToken: TOKEN } });
  production = await startTestServer({ ...alone, production: true });
});
afterAll(async () => {
  await closeSockets();
  await Promise.all([server?.close(), guarded?.close(), production?.close()]);
  await receiver.close();
});

const scrape = async (target: ChatServer, headers: Record<string, string> = {}) => {
  const response = await fetch(`${target.url}/metrics`, { headers });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
};

/** The value of one sample (`name{labels} value`), or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('/metrics', () => {
  it("counts this node's connections, messages, frames, requests and fan-out, with runtime metrics", async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice', 'bob');
    const cid = await createChannel(alice!, 'metered', ['bob']);
    const before = sample((await scrape(server)).text, 'chat_messages_total') ?? 0;
    const a = await t.connect('alice');
    await a.ok({ type: 'channel.watch', cid });
    await a.ok({
      type: 'message.send',
      cid,
      message: { client_msg_id: clientId(), text: 'over the socket' },
    });
    await send(alice!, cid, 'over REST');
    await a.waitFor((e) => e.type === 'message.new' && e.message.text === 'over REST');

    const { status, type, text } = await scrape(server);
    expect(status).toBe(200);
    expect(type).toContain('text/plain');
    expect(sample(text, 'chat_connections')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'chat_messages_total')).toBe(before + 2);
    expect(
      sample(text, 'chat_ws_frame_seconds_count', 'type="message.send",answer="ack"'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'chat_ws_frame_seconds_count', 'type="channel.watch",answer="ack"'),
    ).toBeGreaterThanOrEqual(1);
    // By the route's template: ids never become series.
    expect(
      sample(
        text,
        'chat_http_request_seconds_count',
        'method="POST",route="/v1/channels/:type/:id/messages",status="2xx"',
      ),
    ).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('metered');
    expect(sample(text, 'chat_fanout_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    // The job queues of this process (it works jobs), by state.
    expect(text).toMatch(/^chat_job_queue_jobs\{queue="[^"]+",state="queued"\} \d+$/m);
  });

  it('counts webhook outcomes: retried, then delivered', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice');
    const cid = await createChannel(alice!, 'hooked', []);
    const created = await t.server.post('/v1/webhooks', {
      name: 'metrics',
      url: receiver.url,
      events: ['message.new'],
    });
    expect(created.status).toBe(201);
    const of = async (outcome: string) =>
      sample((await scrape(server)).text, 'chat_webhook_attempts_total', `outcome="${outcome}"`) ?? 0;
    const [delivered, retried] = [await of('delivered'), await of('retry')];
    receiver.answers.push(503);
    await send(alice!, cid, 'hooked message');
    await expect.poll(() => of('retry'), { timeout: 10_000, interval: 250 }).toBe(retried + 1);
    // The retry comes after the queue's backoff.
    await expect.poll(() => of('delivered'), { timeout: 30_000, interval: 250 }).toBe(delivered + 1);
  });

  it('asks for the bearer token when one is set', async () => {
    expect((await scrape(guarded)).status).toBe(401);
    expect((await scrape(guarded, { authorization: 'Bearer wrong-token-of-some-length' })).status).toBe(401);
    const allowed = await scrape(guarded, { authorization: `Bearer ${TOKEN}` });
    expect(allowed.status).toBe(200);
    expect(allowed.text).toContain('chat_connections');
  });

  it('in production, without a token, serves nothing (every request could come through a local proxy)', async () => {
    const refused = await scrape(production);
    expect(refused.status).toBe(404);
    expect(JSON.parse(refused.text).error.message).toContain('CHAT_METRICS_TOKEN');
  });

  it('outside production, without a token, answers this machine only', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
    for (const address of ['10.0.0.5', '192.168.1.2', '::ffff:10.1.1.1', 'fd00::1', undefined])
      expect(isLoopback(address)).toBe(false);
  });

  it('refuses a short token at startup', () => {
    expect(() => loadHttpConfig({ CHAT_METRICS_TOKEN: 'short' })).toThrow(/at least 16/);
    expect(loadHttpConfig({ CHAT_METRICS_TOKEN: TOKEN }).metricsToken).toBe(TOKEN);
    expect(loadHttpConfig({}).metricsToken).toBeUndefined();
  });
});
