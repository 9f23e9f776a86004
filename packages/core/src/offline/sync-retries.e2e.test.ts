import { randomBytes } from 'node:crypto';
import { type ChatServer, createChatServer, createUserToken } from '@chat/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../test/e2e-harness';
import { ChatClient, type ChatClientOptions } from '../client';
import { RateLimitError } from '../errors';

/** A tight write budget, so a burst meets the reference server's real rate limiter in a second. */
const WRITES_PER_SECOND = 10;

let server: ChatServer;
let apiKey: string;
let apiSecret: string;
const clients: ChatClient[] = [];

beforeAll(async () => {
  server = await createChatServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: 'memory',
    seedDemo: false,
    logLevel: 'silent',
    realtime: { writes: { points: WRITES_PER_SECOND, durationSeconds: 1 } },
  });
  apiKey = randomBytes(12).toString('base64url');
  apiSecret = randomBytes(32).toString('base64url');
  await server.store.db
    .insertInto('applications')
    .values({ name: 'sync retries e2e', api_key: apiKey, api_secret: apiSecret, allow_registration: true })
    .execute();
}, 60_000);

afterAll(async () => {
  for (const client of clients) await client.disconnect();
  await server?.close();
});

async function connect(userId: string, options: Partial<ChatClientOptions> = {}) {
  const client = new ChatClient({ apiKey, baseUrl: server.url, ...options });
  clients.push(client);
  await client.connect({ id: userId }, () => createUserToken(apiSecret, userId));
  const channel = await client.channels.create({
    type: 'messaging',
    id: `retries-${userId}`,
    members: [userId],
  });
  await channel.watch();
  return { client, channel };
}

describe('sync queue retries, against the reference server', () => {
  it('shapes a burst to the server rate limit: every message sent, once, in order', async () => {
    const { client, channel } = await connect('burst');
    let waited = false;
    const stop = channel.pendingWrites.subscribe(() => {
      waited ||= channel.pendingWrites
        .getSnapshot()
        .some((item) => item.retry_at !== undefined && item.error?.code === 'rate_limited');
    });
    const texts = Array.from({ length: 4 * WRITES_PER_SECOND }, (_, index) => `burst ${index + 1}`);
    const sent = await Promise.all(texts.map((text) => channel.sendMessage({ text })));
    stop();
    expect(waited).toBe(true);
    expect(sent.map((m) => m.status)).toEqual(texts.map(() => 'sent'));
    const { messages } = await client.http.request('listMessages', {
      params: { type: channel.type, id: channel.id },
      query: { limit: 100 },
    });
    expect(messages.map((m) => m.text)).toEqual(texts);
  }, 20_000);

  it('takes its retry options from the client: a zero horizon gives up at the first refusal', async () => {
    const { client, channel } = await connect('impatient', { offline: { retry: { horizonMs: 0 } } });
    const sends = Array.from({ length: 2 * WRITES_PER_SECOND }, (_, index) =>
      channel.sendMessage({ text: `impatient ${index + 1}` }).catch((error: unknown) => error),
    );
    const outcomes = await Promise.all(sends);
    expect(outcomes.some((outcome) => outcome instanceof RateLimitError)).toBe(true);
    await until(channel.state, (s) => s.messages.some((m) => m.status === 'failed'));
    // Nothing waits, so "retry now" has nothing to do.
    await client.retryPending();
    expect(channel.pendingWrites.getSnapshot().every((item) => item.status === 'failed')).toBe(true);
  }, 20_000);
});
