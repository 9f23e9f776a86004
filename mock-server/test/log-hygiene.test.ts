import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/kernel/logger';
import type { ChatServer } from '../src/startup/server';
import { clientId, startTestServer, type TestApp, testAppOn } from './api';
import { sleep } from './ws-fixtures';

/**
 * What the server writes to its log: never what users wrote (message text, custom data, search
 * queries) or what proves who they are, on either store; and a client that hangs up mid-request
 * is an info line, not a server error with a stack.
 */

/** Every line the logger wrote, as text. */
class LogCapture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void) {
    this.text += chunk.toString();
    done();
  }
  lines(): Record<string, unknown>[] {
    return this.text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  }
}

const SECRET = 'correct-horse-battery-staple';

let server: ChatServer;
let log: LogCapture;
let t: TestApp;

beforeAll(async () => {
  log = new LogCapture();
  server = await startTestServer({ logger: createLogger({ level: 'debug', destination: log }) });
  t = await testAppOn(server);
});

afterAll(() => server?.close());

describe('log hygiene', () => {
  it("a failed query's parameters and quoted values never reach the log, on this store", async () => {
    const logger = createLogger({ level: 'info', destination: log });
    const failures = [
      // The value is a parameter: PGlite's and pg's errors carry the parameters along.
      sql`select ${SECRET}::int`,
      sql`select ${`{"text": "${SECRET}"`}::jsonb`,
      sql`insert into applications (id, name, api_key, api_secret) values (${SECRET}, 'x', 'y', 'z')`,
    ];
    for (const query of failures) {
      const error = await query.execute(server.store.db).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      logger.error({ err: error }, 'query failed');
    }
    await sleep(50);
    expect(log.text).toContain('query failed');
    expect(log.text).toMatch(/"code":"22/);
    expect(log.text).not.toContain(SECRET);
  });

  it('request lines carry the path, not the query string, body or credentials', async () => {
    const alice = await t.user('alice');
    await alice.get(`/v1/users?q=${SECRET}`);
    await alice.get(`/v1/search?query=${SECRET}`);
    await alice.post('/v1/channels', { type: 'messaging', id: 'log', custom: { note: SECRET } });
    await alice.post('/v1/channels/messaging/log/messages', { client_msg_id: clientId(), text: SECRET });
    await alice.post('/v1/channels/messaging/log/messages', { client_msg_id: clientId(), text: 7 });
    await t.anonymous.post('/v1/auth/login', { username: 'alice', password: SECRET });
    await sleep(50);
    const requests = log.lines().filter((l) => l.req);
    expect(requests.some((l) => (l.req as { url: string }).url === '/v1/users?[redacted]')).toBe(true);
    expect(log.text).not.toContain(SECRET);
    expect(log.text).not.toContain(alice.token!);
  });

  it('a client hanging up mid-body is logged at info without a stack, and is no server error', async () => {
    const before = log.lines().length;
    const { port } = new URL(server.url);
    for (let i = 0; i < 3; i++) {
      const socket = connect(Number(port), '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(
        `POST /v1/channels/messaging/log/messages HTTP/1.1\r\nHost: x\r\nX-Api-Key: ${t.app.api_key}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n{"text": "half',
      );
      await sleep(100);
      socket.destroy();
    }
    await sleep(300);
    const lines = log.lines().slice(before);
    expect(lines.some((l) => l.msg === 'client closed the request')).toBe(true);
    expect(lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
    expect(JSON.stringify(lines)).not.toContain('"stack"');
    expect(JSON.stringify(lines)).not.toContain('half');
  });
});
