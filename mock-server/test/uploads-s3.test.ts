import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatServer } from '../src/index';
import type { ChatServer } from '../src/startup/server';
import { type Api, type TestApp, testAppOn } from './api';
import { getTestStore, TEST_SECRET_KEY } from './harness';
import { expectError } from './rest-helpers';
import { type S3Server, s3ConfigOf, startS3Server } from './s3-server';

/**
 * The upload flow through the server on S3-compatible storage (a real s3rver process, started
 * here; the suite fails, never skips, if it cannot start): a presigned POST target, the bytes sent
 * straight to storage, completion checked by the server, and presigned downloads. s3rver ignores
 * POST policies (test/storage-s3.test.ts), so a file over the size announced reaches it; the
 * server's own check at completion is what refuses it here.
 */

let s3: S3Server;
let server: ChatServer;
let t: TestApp;

beforeAll(async () => {
  s3 = await startS3Server('chat-uploads');
  server = await createChatServer({
    store: await getTestStore(),
    port: 0,
    host: '127.0.0.1',
    seedDemo: false,
    secretKey: TEST_SECRET_KEY,
    logLevel: 'silent',
    s3: s3ConfigOf(s3),
  });
  t = await testAppOn(server);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await s3?.stop();
});

async function send(user: Api, bytes: Buffer, declared: { name: string; type: string }, size = bytes.length) {
  const slot = await user.post('/v1/uploads', { size, ...declared });
  expect(slot.status, JSON.stringify(slot.body)).toBe(201);
  const { target } = slot.body;
  expect(target.method).toBe('POST');
  const form = new FormData();
  for (const [name, value] of Object.entries(target.fields as Record<string, string>))
    form.append(name, value);
  form.append('file', new Blob([bytes], { type: declared.type }), declared.name);
  const posted = await fetch(target.url, { method: 'POST', body: form });
  expect(posted.status, await posted.text()).toBeLessThan(300);
  return slot.body.upload.id as string;
}

describe('uploads on S3-compatible storage', () => {
  it('goes from a presigned POST to a presigned download, with the sniffed type', async () => {
    const [alice] = await t.users('alice');
    const bytes = Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    const id = await send(alice!, bytes, { name: 'report.pdf', type: 'application/pdf' });
    const done = await alice!.post(`/v1/uploads/${id}/complete`);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.upload).toMatchObject({
      state: 'ready',
      mime_type: 'application/pdf',
      kind: 'file',
      size: bytes.length,
    });
    const url = new URL(done.body.upload.url);
    expect(url.origin).toBe(s3.endpoint);
    const file = await fetch(url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="report.pdf"/);
    expect(Buffer.from(await file.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('refuses and removes a file whose bytes lie about its type, or that is larger than announced', async () => {
    const [alice] = await t.users('alice');
    const lie = await send(alice!, Buffer.from('<html><script>alert(1)</script></html>'), {
      name: 'cat.png',
      type: 'image/png',
    });
    const refused = await alice!.post(`/v1/uploads/${lie}/complete`);
    expectError(refused, 422, 'upload_refused');
    expect(['blocked_type', 'type_mismatch']).toContain(refused.body.error.details.reason);

    const big = await send(
      alice!,
      Buffer.from('twenty bytes of text'),
      { name: 'a.txt', type: 'text/plain' },
      5,
    );
    const tooBig = await alice!.post(`/v1/uploads/${big}/complete`);
    expectError(tooBig, 422, 'upload_refused');
    expect(tooBig.body.error.details.reason).toBe('too_large');
    // Both files are gone from the bucket: completing again cannot bring them back.
    expectError(await alice!.post(`/v1/uploads/${big}/complete`), 422, 'upload_refused');
  });

  it('deletes the object with the upload, and keeps uploads to their owner', async () => {
    const [alice, bob] = await t.users('alice', 'bob');
    const id = await send(alice!, Buffer.from('plain words\n'), { name: 'a.txt', type: 'text/plain' });
    const done = await alice!.post(`/v1/uploads/${id}/complete`);
    expectError(await bob!.get(`/v1/uploads/${id}`), 404, 'not_found');
    expect((await alice!.delete(`/v1/uploads/${id}`)).body).toEqual({ ok: true });
    expect((await fetch(done.body.upload.url)).status).toBe(404);
  });
});
