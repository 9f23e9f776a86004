import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { type Api, clientId, getTestServer, newTestApp } from './api';
import { channelPath, createChannel, expectError, uploadWith, usersOf } from './rest-helpers';
import { appOn, closeSockets, waitForEvent } from './ws-fixtures';

/**
 * Media on the embedded default (disk): an uploaded image is processed by a job before anyone can
 * fetch it (upright, no EXIF, thumbnails, a placeholder; a decompression bomb refused), messages
 * attach uploads by id (the author's own, ready, once), members get signed URLs each time they
 * read, and a deleted message takes its files with it.
 */

async function absolute(url: string): Promise<URL> {
  return new URL(url, (await getTestServer()).url);
}

/** Sends `bytes` through a slot and completes it; answers the completion. */
const upload = async (user: Api, bytes: Buffer, declared: { name: string; type: string }) =>
  uploadWith(user, (await getTestServer()).url, bytes, declared);

/** An 800×400 JPEG that says "turn me 90°" (so it shows 400×800) and carries a camera and a GPS position. */
function photo(): Promise<Buffer> {
  return sharp({ create: { width: 800, height: 400, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .withMetadata({ orientation: 6 })
    .withExifMerge({
      IFD0: { Make: 'SecretCam' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '48/1 51/1 24/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '2/1 21/1 3/1',
      },
    })
    .jpeg()
    .toBuffer();
}

/** A PNG whose header claims `width`×`height` pixels, with almost no data: a decompression bomb. */
function bombPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, Buffer.from(type), data, Buffer.alloc(4)]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.alloc(64))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function room() {
  const t = await newTestApp();
  const [alice, bob, carol] = await usersOf(t, 'alice', 'bob', 'carol');
  const cid = await createChannel(alice!, 'room', ['bob']);
  return { t, alice: alice!, bob: bob!, carol: carol!, cid, messages: `${channelPath(cid)}/messages` };
}

async function readyPhoto(user: Api): Promise<string> {
  const done = await upload(user, await photo(), { name: 'beach.jpg', type: 'image/jpeg' });
  expect(done.status, JSON.stringify(done.body)).toBe(200);
  expect(done.body.upload.state).toBe('ready');
  return done.body.upload.id;
}

async function readyFile(user: Api, text = 'minutes\n'): Promise<string> {
  const done = await upload(user, Buffer.from(text), { name: 'notes.txt', type: 'text/plain' });
  expect(done.body.upload.state).toBe('ready');
  return done.body.upload.id;
}

describe('image processing', () => {
  it('turns a photo upright, strips its EXIF (GPS too), and makes thumbnails and a placeholder', async () => {
    const t = await newTestApp();
    const [alice] = await usersOf(t, 'alice');
    const original = await photo();
    const before = await sharp(original).metadata();
    expect(before.exif?.toString('latin1')).toContain('SecretCam');

    const done = await upload(alice!, original, { name: 'beach.jpg', type: 'image/jpeg' });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const uploaded = done.body.upload;
    expect(uploaded).toMatchObject({
      state: 'ready',
      kind: 'image',
      mime_type: 'image/jpeg',
      width: 400,
      height: 800,
    });
    expect(uploaded.placeholder).toMatch(/^[A-Za-z0-9+/]{10,}=*$/);
    // Widths under the image's own 400 px: one thumbnail.
    expect(uploaded.thumbnails).toEqual([{ url: expect.any(String), width: 360, height: 720 }]);

    const served = Buffer.from(await (await fetch(await absolute(uploaded.url))).arrayBuffer());
    const after = await sharp(served).metadata();
    expect(after).toMatchObject({ width: 400, height: 800 });
    expect(after.exif).toBeUndefined();
    expect(after.orientation ?? 1).toBe(1);
    expect(served.toString('latin1')).not.toContain('SecretCam');

    const thumb = await fetch(await absolute(uploaded.thumbnails[0].url));
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect(await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).toMatchObject({
      format: 'webp',
      width: 360,
      height: 720,
    });
  });

  it('refuses a decompression bomb from its header, with the reason, and keeps nothing', async () => {
    const t = await newTestApp();
    const [alice] = await usersOf(t, 'alice');
    const done = await upload(alice!, bombPng(30_000, 30_000), { name: 'tiny.png', type: 'image/png' });
    expect(done.status).toBe(200);
    expect(done.body.upload).toMatchObject({
      state: 'refused',
      url: null,
      refusal: { reason: 'too_many_pixels', message: expect.stringContaining('30000×30000') },
    });
    const again = await alice!.get(`/v1/uploads/${done.body.upload.id}`);
    expect(again.body.upload.refusal.reason).toBe('too_many_pixels');
  });
});

describe('attachments by upload id', () => {
  it('fills in the file for members, with URLs signed on every read and stable within a window', async () => {
    const { alice, bob, carol, cid, messages } = await room();
    const photoId = await readyPhoto(alice);
    const fileId = await readyFile(alice);
    const sent = await alice.post(messages, {
      client_msg_id: clientId(),
      text: 'look',
      attachments: [
        { upload_id: photoId },
        { upload_id: fileId },
        { type: 'image', url: 'https://cdn.example/a.png' },
      ],
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const [image, file, linked] = sent.body.message.attachments;
    expect(image).toMatchObject({
      type: 'image',
      upload_id: photoId,
      name: 'beach.jpg',
      mime_type: 'image/jpeg',
      width: 400,
      height: 800,
      placeholder: expect.any(String),
      thumbnails: [{ width: 360, height: 720 }],
    });
    expect(Date.parse(image.url_expires_at)).toBeGreaterThan(Date.now() + 25 * 60_000);
    expect(file).toMatchObject({
      type: 'file',
      upload_id: fileId,
      name: 'notes.txt',
      mime_type: 'text/plain',
      file_size: 8,
    });
    expect(linked).toEqual({ type: 'image', url: 'https://cdn.example/a.png' });

    const read = await bob.get(`${messages}?limit=10`);
    const seen = read.body.messages.find((m: { id: string }) => m.id === sent.body.message.id);
    // The same window, the same URL: a browser keeps the image in its cache.
    expect(seen.attachments[0].url).toBe(image.url);
    const got = await fetch(await absolute(seen.attachments[0].url));
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/jpeg');
    const download = await fetch(await absolute(seen.attachments[1].url));
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="notes.txt"/);

    // carol is not a member: she reads neither the channel nor its files' URLs.
    expect((await carol.get(`${messages}?limit=10`)).status).toBeGreaterThanOrEqual(403);
    expect(cid).toBe(sent.body.message.cid);
  });

  it('refuses another user’s or another app’s upload, one not ready, one already used, and one given twice', async () => {
    const { alice, bob, messages } = await room();
    const other = await room();
    const mine = await readyFile(alice);
    const bobs = await readyFile(bob);
    const foreign = await readyFile(other.alice);
    const send = (user: Api, attachments: unknown[]) =>
      user.post(messages, { client_msg_id: clientId(), text: 'x', attachments });

    expectError(await send(alice, [{ upload_id: bobs }]), 404, 'not_found');
    expectError(await send(alice, [{ upload_id: foreign }]), 404, 'not_found');

    const slot = await alice.post('/v1/uploads', { size: 5, name: 'a.txt', type: 'text/plain' });
    const pending = await send(alice, [{ upload_id: slot.body.upload.id }]);
    expectError(pending, 422, 'upload_refused');
    expect(pending.body.error.details.reason).toBe('not_ready');

    const twice = await send(alice, [{ upload_id: mine }, { upload_id: mine }]);
    expectError(twice, 400, 'validation_failed');

    expect((await send(alice, [{ upload_id: mine }])).status).toBe(201);
    const reused = await send(alice, [{ upload_id: mine }]);
    expectError(reused, 422, 'upload_refused');
    expect(reused.body.error.details.reason).toBe('attached');

    // Two sends racing for one upload: one has it, the other is told it is taken.
    const contested = await readyFile(alice);
    const raced = await Promise.all([
      send(alice, [{ upload_id: contested }]),
      send(alice, [{ upload_id: contested }]),
    ]);
    expect(raced.map((r) => r.status).sort()).toEqual([201, 422]);
    expect(raced.find((r) => r.status === 422)!.body.error.details.reason).toBe('attached');

    const mixed = await send(alice, [{ upload_id: mine, url: 'https://cdn.example/x' }]);
    expectError(mixed, 400, 'validation_failed');
    // Nothing of the refused sends was stored.
    const list = await alice.get(`${messages}?limit=50`);
    expect(list.body.messages).toHaveLength(2);
  });

  it('deletes the files of a deleted message, and of an upload an edit takes off', async () => {
    const { alice, messages } = await room();
    const first = await readyPhoto(alice);
    const second = await readyFile(alice);
    const sent = await alice.post(messages, {
      client_msg_id: clientId(),
      text: 'two files',
      attachments: [{ upload_id: first }, { upload_id: second }],
    });
    const [photoUrl, fileUrl] = sent.body.message.attachments.map((a: { url: string }) => a.url);
    const thumbUrl = sent.body.message.attachments[0].thumbnails[0].url;

    const edited = await alice.patch(`/v1/messages/${sent.body.message.id}`, {
      attachments: [{ upload_id: first }],
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body.message.attachments.map((a: { upload_id: string }) => a.upload_id)).toEqual([first]);
    await eventually(async () => expect((await fetch(await absolute(fileUrl))).status).toBe(404));
    expectError(await alice.get(`/v1/uploads/${second}`), 404, 'not_found');

    expect((await alice.delete(`/v1/messages/${sent.body.message.id}`)).status).toBe(200);
    await eventually(async () => expect((await fetch(await absolute(photoUrl))).status).toBe(404));
    expect((await fetch(await absolute(thumbUrl))).status).toBe(404);
    expectError(await alice.get(`/v1/uploads/${first}`), 404, 'not_found');
  });
});

describe('attachments over the socket', () => {
  afterEach(closeSockets);

  it('sends an upload by id on a socket; the other member gets it signed in message.new', async () => {
    const app = await appOn(await getTestServer());
    const [alice] = await app.users('alice', 'bob');
    const cid = await createChannel(alice!, 'chat', ['bob']);
    const photoId = await readyPhoto(alice!);
    const a = await app.connect('alice');
    const b = await app.connect('bob');
    await a.ok({ type: 'channel.watch', cid });
    await b.ok({ type: 'channel.watch', cid });

    const sent = await a.ok({
      type: 'message.send',
      cid,
      message: { client_msg_id: clientId(), text: '', attachments: [{ upload_id: photoId }] },
    });
    expect(sent.message.attachments[0]).toMatchObject({ upload_id: photoId, type: 'image', width: 400 });
    const event = await waitForEvent(b, 'message.new', (e) => e.message.id === sent.message.id);
    const [image] = event.message.attachments;
    expect(image).toMatchObject({ upload_id: photoId, placeholder: expect.any(String) });
    expect((await fetch(await absolute(image!.thumbnails![0]!.url))).status).toBe(200);

    // Someone else's upload is refused on the socket as over REST, and nothing is sent.
    const [carol] = await app.users('carol');
    const carols = await readyFile(carol!);
    const refused = await a.request({
      type: 'message.send',
      cid,
      message: { client_msg_id: clientId(), text: 'x', attachments: [{ upload_id: carols }] },
    });
    expect(refused).toMatchObject({ type: 'error', error: { code: 'not_found' } });
  });
});

async function eventually(check: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
