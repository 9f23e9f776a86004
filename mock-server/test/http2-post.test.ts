import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Http2Poster } from '../src/outbound/http2-post';
import { createTargetGuard } from '../src/outbound/target-guard';
import { startTlsServer } from './push-service';

/** The HTTP/2 client the push senders share: answers, cut and silent connections, the guard, the answer cap. */
let service: Awaited<ReturnType<typeof startTlsServer>>;
let mode: 'answer' | 'cut' | 'silent' | 'huge' = 'answer';

beforeAll(async () => {
  service = await startTlsServer((req, body, res) => {
    if (mode === 'cut') return req.stream.session?.destroy();
    if (mode === 'silent') return;
    if (mode === 'huge') return res.end('x'.repeat(200 * 1024));
    res.writeHead(202, { 'content-type': 'application/json', 'retry-after': '7' });
    res.end(JSON.stringify({ path: req.url, method: req.method, got: body.toString('utf8') }));
  });
});

afterAll(async () => {
  await service.close();
});

const allowLoopback = createTargetGuard(['127.0.0.1/32']);
const poster = (timeoutMs = 2_000) => new Http2Poster({ guard: allowLoopback, timeoutMs, ca: service.ca });

describe('Http2Poster', () => {
  it('posts over one HTTP/2 connection and gives the status, headers and answer', async () => {
    mode = 'answer';
    const client = poster();
    const before = service.connections();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        client.post(`${service.url}/send?n=${i}`, { 'x-n': String(i) }, `body ${i}`),
      ),
    );
    results.forEach((result, i) => {
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.status).toBe(202);
      expect(result.headers['retry-after']).toBe('7');
      expect(JSON.parse(result.answer.toString('utf8'))).toEqual({
        path: `/send?n=${i}`,
        method: 'POST',
        got: `body ${i}`,
      });
    });
    expect(service.connections() - before).toBe(1);
    expect(service.versions.get('2.0')).toBeGreaterThanOrEqual(20);
    client.close();
  });

  it('a connection cut mid-request is a failure to retry, and the next request opens a new one', async () => {
    const client = poster();
    mode = 'cut';
    const before = service.connections();
    const cut = await client.post(`${service.url}/send`, {}, 'x');
    expect(cut).toMatchObject({ ok: false, refused: false });
    mode = 'answer';
    const next = await client.post(`${service.url}/send`, {}, 'y');
    expect(next).toMatchObject({ ok: true, status: 202 });
    expect(service.connections() - before).toBe(2);
    client.close();
  });

  it('a silent service times out, and its connection is not used again', async () => {
    const client = poster(300);
    mode = 'silent';
    const before = service.connections();
    const silent = await client.post(`${service.url}/send`, {}, 'x');
    expect(silent).toMatchObject({ ok: false, refused: false, reason: 'no answer within 300 ms' });
    mode = 'answer';
    expect(await client.post(`${service.url}/send`, {}, 'y')).toMatchObject({ ok: true, status: 202 });
    expect(service.connections() - before).toBe(2);
    client.close();
  });

  it('reads at most 64 KiB of an answer', async () => {
    const client = poster();
    mode = 'huge';
    const result = await client.post(`${service.url}/send`, {}, 'x');
    expect(result.ok && result.answer.length).toBeLessThanOrEqual(64 * 1024);
    mode = 'answer';
    client.close();
  });

  it('refuses what the guard refuses (loopback by default, plain http), sending nothing', async () => {
    const before = service.versions.get('2.0') ?? 0;
    const guarded = new Http2Poster({ guard: createTargetGuard(), timeoutMs: 2_000, ca: service.ca });
    expect(await guarded.post(`${service.url}/send`, {}, 'x')).toMatchObject({ ok: false, refused: true });
    expect(await poster().post(`http://127.0.0.1:1/send`, {}, 'x')).toMatchObject({
      ok: false,
      refused: true,
    });
    expect(await poster().post('not a url', {}, 'x')).toMatchObject({ ok: false, refused: true });
    expect(service.versions.get('2.0') ?? 0).toBe(before);
    guarded.close();
  });
});
