import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type Api, getTestServer, newTestApp } from './api';
import { expectError, expectInvalid } from './rest-helpers';

/**
 * Uploads on the embedded default (disk): a slot with a signed direct-upload URL, the bytes sent
 * straight to it (capped at the size announced), "complete", where the server checks what was
 * stored (size, the type sniffed from the bytes) against the policy, then a signed download URL
 * for `<img src>` with Range. Every refusal is a clear 4xx and leaves nothing behind.
 */

/** A real 1×1 PNG. */
function png(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type), data])));
    return Buffer.concat([length, Buffer.from(type), data, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0, 255]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(data: Buffer): number {
  let crc = ~0;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

async function baseUrl() {
  return (await getTestServer()).url;
}

/** Asks for a slot and sends `bytes` to its target; returns the slot and the upload's answer. */
async function send(user: Api, bytes: Buffer, declared: { name: string; type: string; size?: number }) {
  const slot = await user.post('/v1/uploads', { size: bytes.length, ...declared });
  expect(slot.status, JSON.stringify(slot.body)).toBe(201);
  const put = await fetch(new URL(slot.body.target.url, await baseUrl()), {
    method: slot.body.target.method,
    headers: slot.body.target.headers,
    body: bytes,
  });
  return { slot: slot.body, put };
}

describe('uploads on disk', () => {
  it('takes a photo from slot to signed download, with its real type, and serves ranges', async () => {
    const t = await newTestApp();
    const [alice] = await t.users('alice');
    const image = png();
    const { slot, put } = await send(alice!, image, { name: 'dot.png', type: 'image/png' });
    expect(slot.upload).toMatchObject({
      state: 'pending',
      name: 'dot.png',
      mime_type: 'image/png',
      url: null,
    });
    expect(slot.target).toMatchObject({
      method: 'PUT',
      fields: {},
      headers: { 'content-type': 'image/png' },
    });
    expect(Date.parse(slot.target.expires_at)).toBeGreaterThan(Date.now());
    expect(put.status).toBe(200);

    const done = await alice!.post(`/v1/uploads/${slot.upload.id}/complete`);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    // An image is processed (re-encoded without metadata) before it is ready: its size is the
    // cleaned file's.
    expect(done.body.upload).toMatchObject({
      state: 'ready',
      mime_type: 'image/png',
      kind: 'image',
      width: 1,
      height: 1,
    });
    expect(done.body.upload.placeholder).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const stored = done.body.upload.size as number;
    // Completing again answers the same upload.
    expect((await alice!.post(`/v1/uploads/${slot.upload.id}/complete`)).body.upload.state).toBe('ready');

    const url = new URL(done.body.upload.url, await baseUrl());
    const file = await fetch(url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.headers.get('content-disposition')).toMatch(/^inline; filename="dot.png"/);
    const served = Buffer.from(await file.arrayBuffer());
    expect(served.length).toBe(stored);
    expect(served.subarray(1, 4).toString()).toBe('PNG');

    const part = await fetch(url, { headers: { range: 'bytes=1-3' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1-3/${stored}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(served.subarray(1, 4))).toBe(true);
    const tail = await fetch(url, { headers: { range: 'bytes=-4' } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(served.subarray(-4))).toBe(true);
    expect((await fetch(url, { headers: { range: `bytes=${stored}-` } })).status).toBe(416);

    const read = await alice!.get(`/v1/uploads/${slot.upload.id}`);
    expect(read.body.upload).toMatchObject({ id: slot.upload.id, state: 'ready' });
  });

  it('serves anything that is not media as a download', async () => {
    const t = await newTestApp();
    const [alice] = await t.users('alice');
    const { slot } = await send(alice!, Buffer.from('minutes of the meeting\n'), {
      name: 'Notes «draft».txt',
      type: 'text/plain',
    });
    const done = await alice!.post(`/v1/uploads/${slot.upload.id}/complete`);
    expect(done.body.upload).toMatchObject({ kind: 'file', mime_type: 'text/plain' });
    const file = await fetch(new URL(done.body.upload.url, await baseUrl()));
    expect(file.headers.get('content-disposition')).toBe(
      `attachment; filename="Notes _draft_.txt"; filename*=UTF-8''${encodeURIComponent('Notes «draft».txt')}`,
    );
  });

  it('refuses a file whose bytes are not what was announced, and keeps nothing of it', async () => {
    const t = await newTestApp();
    const [alice] = await t.users('alice');
    const { slot } = await send(alice!, Buffer.from('#!/bin/sh\nrm -rf /\n'), {
      name: 'cat.jpg',
      type: 'image/jpeg',
    });
    const done = await alice!.post(`/v1/uploads/${slot.upload.id}/complete`);
    expectError(done, 422, 'upload_refused');
    expect(done.body.error.details.reason).toBe('type_mismatch');
    expect((await alice!.get(`/v1/uploads/${slot.upload.id}`)).body.upload.state).toBe('refused');
    // Refused once, refused for good: a new slot is needed.
    expectError(await alice!.post(`/v1/uploads/${slot.upload.id}/complete`), 422, 'upload_refused');
  });

  it('refuses SVG and HTML by their bytes, whatever they are called', async () => {
    const t = await newTestApp();
    const [alice] = await t.users('alice');
    const svg = Buffer.from(
      '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    );
    const asSvg = await alice!.post('/v1/uploads', {
      name: 'x.svg',
      type: 'image/svg+xml',
      size: svg.length,
    });
    expectError(asSvg, 422, 'upload_refused');
    expect(asSvg.body.error.details.reason).toBe('blocked_type');

    const disguised = await send(alice!, svg, { name: 'x.bin', type: 'application/octet-stream' });
    const done = await alice!.post(`/v1/uploads/${disguised.slot.upload.id}/complete`);
    expectError(done, 422, 'upload_refused');
    expect(done.body.error.details.reason).toBe('blocked_type');

    const html = await send(alice!, Buffer.from('<!DOCTYPE html><html><body>hi</body></html>'), {
      name: 'page.txt',
      type: 'text/plain',
    });
    const htmlDone = await alice!.post(`/v1/uploads/${html.slot.upload.id}/complete`);
    expect(htmlDone.body.error.details.reason).toBe('blocked_type');
  });

  it('refuses more bytes than announced, at the target and at completion', async () => {
    const t = await newTestApp();
    const [alice] = await t.users('alice');
    const slot = await alice!.post('/v1/uploads', { name: 'a.txt', type: 'text/plain', size: 5 });
    const url = new URL(slot.body.target.url, await baseUrl());
    const over = await fetch(url, {
      method: 'PUT',
      headers: slot.body.target.headers,
      body: 'more than five bytes',
    });
    expect(over.status).toBe(413);
    // Streamed without a length: cut at the cap, nothing kept.
    const chunked = await fetch(url, {
      method: 'PUT',
      headers: slot.body.target.headers,
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('0123'));
          controller.enqueue(new TextEncoder().encode('456789'));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    const done = await alice!.post(`/v1/uploads/${slot.body.upload.id}/complete`);
    expectError(done, 422, 'upload_refused');
    expect(done.body.error.details.reason).toBe('not_uploaded');
  });

  it('refuses a slot over the size limit, and bad bodies, changing nothing', async () => {
    const t = await newTestApp();
    const [alice] = await t.users('alice');
    const big = await alice!.post('/v1/uploads', {
      name: 'movie.mp4',
      type: 'video/mp4',
      size: 101 * 1024 * 1024,
    });
    expectError(big, 422, 'upload_refused');
    expect(big.body.error.details.reason).toBe('too_large');
    expectInvalid(await alice!.post('/v1/uploads', { name: '', type: 'text/plain', size: 1 }), ['name']);
    expectInvalid(await alice!.post('/v1/uploads', { name: 'a', type: 'text', size: 1 }), ['type']);
    expectInvalid(await alice!.post('/v1/uploads', { name: 'a', type: 'text/plain', size: -1 }), ['size']);
    expectInvalid(await alice!.post('/v1/uploads', { name: 'a', type: 'text/plain', size: 1, url: 'x' }), []);
  });

  it('refuses forged, tampered and expired storage URLs', async () => {
    const t = await newTestApp();
    const [alice] = await t.users('alice');
    const { slot } = await send(alice!, Buffer.from('hello'), { name: 'a.txt', type: 'text/plain' });
    const done = await alice!.post(`/v1/uploads/${slot.upload.id}/complete`);
    const url = new URL(done.body.upload.url, await baseUrl());
    const token = url.searchParams.get('token')!;
    const [body, signature] = token.split('.');
    const payload = JSON.parse(Buffer.from(body!, 'base64url').toString());

    const tampered = new URL(url);
    const otherKey = Buffer.from(JSON.stringify({ ...payload, key: `${payload.key}x` })).toString(
      'base64url',
    );
    tampered.searchParams.set('token', `${otherKey}.${signature}`);
    const refused = await fetch(tampered);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe(
      'forged',
    );

    const expired = new URL(url);
    const past = Buffer.from(JSON.stringify({ ...payload, exp: 1 })).toString('base64url');
    expired.searchParams.set('token', `${past}.${signature}`);
    expect((await fetch(expired)).status).toBe(403);

    const none = new URL(url);
    none.searchParams.delete('token');
    expect((await fetch(none)).status).toBe(403);
    // A download URL is not an upload URL.
    const asUpload = new URL(slot.target.url, await baseUrl());
    asUpload.searchParams.set('token', token);
    expect((await fetch(asUpload, { method: 'PUT', body: 'x' })).status).toBe(403);
  });

  it('keeps uploads to their owner: another user, another app and a server token get nothing', async () => {
    const t = await newTestApp();
    const other = await newTestApp();
    const [alice, bob] = await t.users('alice', 'bob');
    const [mallory] = await other.users('alice');
    const { slot } = await send(alice!, Buffer.from('secret'), { name: 'a.txt', type: 'text/plain' });
    for (const caller of [bob!, mallory!]) {
      expectError(await caller.get(`/v1/uploads/${slot.upload.id}`), 404, 'not_found');
      expectError(await caller.post(`/v1/uploads/${slot.upload.id}/complete`), 404, 'not_found');
      expectError(await caller.delete(`/v1/uploads/${slot.upload.id}`), 404, 'not_found');
    }
    expectError(
      await t.server.post('/v1/uploads', { name: 'a', type: 'text/plain', size: 1 }),
      403,
      'forbidden',
    );
    expect((await alice!.get(`/v1/uploads/${slot.upload.id}`)).body.upload.state).toBe('pending');
  });

  it('deletes an upload and its file', async () => {
    const t = await newTestApp();
    const [alice] = await t.users('alice');
    const { slot } = await send(alice!, Buffer.from('bye'), { name: 'a.txt', type: 'text/plain' });
    const done = await alice!.post(`/v1/uploads/${slot.upload.id}/complete`);
    const url = new URL(done.body.upload.url, await baseUrl());
    expect((await alice!.delete(`/v1/uploads/${slot.upload.id}`)).body).toEqual({ ok: true });
    expectError(await alice!.get(`/v1/uploads/${slot.upload.id}`), 404, 'not_found');
    expect((await fetch(url)).status).toBe(404);
  });
});
