import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatServer } from '../src/index';
import type { ChatServer } from '../src/startup/server';
import { type Api, type TestApp, testAppOn } from './api';
import { getTestStore, TEST_SECRET_KEY } from './harness';
import { channelPath, createChannel, expectError } from './rest-helpers';
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

  it('processes a photo on S3 (no EXIF, a thumbnail object), attaches it, and deletes its objects with the message', async () => {
    const [alice] = await t.users('alice', 'bob');
    const photo = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#3366cc' } })
      .withMetadata({ orientation: 6 })
      .withExifMerge({ IFD0: { Make: 'SecretCam' } })
      .jpeg()
      .toBuffer();
    const id = await send(alice!, photo, { name: 'sky.jpg', type: 'image/jpeg' });
    const done = await alice!.post(`/v1/uploads/${id}/complete`);
    expect(done.body.upload).toMatchObject({ state: 'ready', width: 600, height: 900 });
    const served = Buffer.from(await (await fetch(done.body.upload.url)).arrayBuffer());
    expect((await sharp(served).metadata()).exif).toBeUndefined();
    expect(served.toString('latin1')).not.toContain('SecretCam');

    const cid = await createChannel(alice!, 'sky', ['bob']);
    const sent = await alice!.post(`${channelPath(cid)}/messages`, {
      client_msg_id: crypto.randomUUID(),
      text: 'sky',
      attachments: [{ upload_id: id }],
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const [image] = sent.body.message.attachments;
    expect(new URL(image.url).origin).toBe(s3.endpoint);
    const thumb = await fetch(image.thumbnails[0].url);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');

    expect((await alice!.delete(`/v1/messages/${sent.body.message.id}`)).status).toBe(200);
    const until = Date.now() + 10_000;
    while ((await fetch(image.url)).status !== 404 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    expect((await fetch(image.url)).status).toBe(404);
    expect((await fetch(image.thumbnails[0].url)).status).toBe(404);
  });
});
