import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerToken, createUserToken } from '../src/domain/auth/index';
import { openStore, type Store } from '../src/store/database';
import type { AppRow } from '../src/store/schema';
import { Api } from './api';
import { createTestApp, newTestSchema, testDatabase } from './harness';
import { crash, type ServerNode, startNode, stopNodes } from './multi-node-cluster';

/**
 * SIGKILL a server while webhooks are in flight (some events committed but not yet queued, some
 * queued, one mid-delivery): after a restart every event is delivered at least once, with the
 * webhook-id it had before, and in order per channel; a receiver that dedupes by webhook-id
 * applies each exactly once. Real `chat-server` processes on PostgreSQL.
 */

const databaseUrl = process.env.DATABASE_URL || undefined;
let runs = false;
if (databaseUrl && testDatabase !== 'postgres') {
  console.info('webhook crash suite runs in the postgres project');
} else if (!databaseUrl) {
  if (process.env.CHAT_REQUIRE_SERVICES === '1')
    throw new Error(
      'CHAT_REQUIRE_SERVICES=1 but DATABASE_URL is not set: the webhook crash suite cannot run',
    );
  console.warn('webhook crash suite skipped: DATABASE_URL is needed');
} else {
  runs = true;
}

interface Attempt {
  headers: IncomingHttpHeaders;
  seq: number;
  messageId: string;
  status: number;
}

const schema = newTestSchema();
let store: Store;
let receiver: Server;
let receiverUrl = '';
const attempts: Attempt[] = [];
/** While true the receiver answers 503 (the deliveries pile up as retries). */
let down = true;
const nodes: ServerNode[] = [];

describe.skipIf(!runs)('webhooks across a crash', () => {
  beforeAll(async () => {
    store = await openStore({ databaseUrl: databaseUrl!, schema, poolSize: 2 });
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        const parsed = JSON.parse(body) as { data: { seq: number; message: { id: string } } };
        const status = down ? 503 : 200;
        attempts.push({
          headers: req.headers,
          seq: parsed.data.seq,
          messageId: parsed.data.message.id,
          status,
        });
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });

  afterAll(async () => {
    await stopNodes(nodes);
    await store?.close();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  });

  const env = () => ({
    DATABASE_URL: databaseUrl!,
    CHAT_DATABASE_SCHEMA: schema,
    CHAT_SEED_DEMO: '0',
    CHAT_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32',
    CHAT_WEBHOOK_RETRY_DELAY_S: '1',
  });

  it('delivers every event after a SIGKILL, with the same webhook-id, in order', async () => {
    const app: AppRow = await createTestApp(store.db);
    await store.db
      .insertInto('webhooks')
      .values({
        app_id: app.id,
        name: 'crash',
        url: receiverUrl,
        secret: `whsec_${randomBytes(24).toString('base64')}`,
        events: ['message.new'],
      })
      .execute();
    const first = await startNode('hooks1', env());
    nodes.push(first);
    // The worker's feed has started (its cursor exists) before anything is sent.
    await expect
      .poll(async () => (await store.db.selectFrom('event_cursors').select('consumer').execute()).length, {
        timeout: 20_000,
      })
      .toBeGreaterThan(0);

    const api = new Api(first.url, app.api_key, await createServerToken(app.api_secret));
    expect((await api.post('/v1/users', { users: [{ id: 'alice' }, { id: 'bob' }] })).status).toBe(200);
    const alice = api.as(await createUserToken(app.api_secret, 'alice'));
    const created = await alice.post('/v1/channels', {
      type: 'messaging',
      id: 'crash',
      members: ['alice', 'bob'],
    });
    expect(created.status).toBe(201);
    const sent: { id: string; seq: number }[] = [];
    for (let i = 0; i < 8; i++) {
      const reply = await alice.post('/v1/channels/messaging/crash/messages', {
        client_msg_id: randomUUID(),
        text: `m${i}`,
      });
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
      sent.push(reply.body.message);
      // Some go out (and fail) before the kill, the last ones are likely not queued yet.
      if (i === 3) await expect.poll(() => attempts.length, { timeout: 10_000 }).toBeGreaterThan(0);
    }
    await crash(first);
    const beforeKill = attempts.length;

    down = false;
    const second = await startNode('hooks2', env());
    nodes.push(second);
    const delivered = () => new Set(attempts.filter((a) => a.status === 200).map((a) => a.messageId));
    await expect.poll(() => delivered().size, { timeout: 60_000 }).toBe(sent.length);

    expect(beforeKill).toBeGreaterThan(0);
    const triedBefore = new Set(attempts.slice(0, beforeKill).map((a) => a.messageId));
    console.info(
      `webhook crash: ${sent.length} events; ${triedBefore.size} tried before the kill (${beforeKill} attempts), ` +
        `${sent.length - triedBefore.size} first tried after it; ${attempts.length} attempts in all`,
    );
    // One webhook-id per event, whatever process tried it.
    for (const message of sent) {
      const ids = new Set(
        attempts.filter((a) => a.messageId === message.id).map((a) => a.headers['webhook-id']),
      );
      expect(ids.size, `attempts of seq ${message.seq}`).toBe(1);
    }
    // Exactly-once effect from at-least-once delivery: a receiver that applies each webhook-id
    // once (as the README's receiver does) applied every event once, however often it came.
    const applied = new Map<string, string>();
    for (const attempt of attempts.filter((a) => a.status === 200)) {
      const id = attempt.headers['webhook-id'] as string;
      if (!applied.has(id)) applied.set(id, attempt.messageId);
    }
    expect([...applied.values()].sort()).toEqual(sent.map((m) => m.id).sort());
    // In order: each event first got through after every earlier one had.
    const firstSuccess = sent.map((m) => attempts.findIndex((a) => a.messageId === m.id && a.status === 200));
    expect(firstSuccess).toEqual([...firstSuccess].sort((a, b) => a - b));
  }, 120_000);
});
