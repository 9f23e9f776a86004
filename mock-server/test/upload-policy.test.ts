import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatServer } from '../src/index';
import type { ChatServer } from '../src/startup/server';
import { Api, clientId, getTestServer, newTestApp, startTestServer, type TestApp, testAppOn } from './api';
import { getTestStore, TEST_SECRET_KEY } from './harness';
import { channelPath, createChannel, expectError, expectInvalid, putInSlot, usersOf } from './rest-helpers';
import { type S3Server, s3ConfigOf, startS3Server } from './s3-server';

/**
 * Each application's upload policy (server token: `GET`/`PUT /v1/upload-policy`): its size limit,
 * allowed and blocked types, image pixel limit and uploads per user per minute, applied to the
 * next upload; one app's policy never touches another's. Video and audio get their duration from
 * their headers, on the upload and on the messages it is attached to.
 */

const POLICY = '/v1/upload-policy';
const MIB = 1024 * 1024;

/** A real WAV: `seconds` of 8 kHz, 8-bit mono silence. */
function wav(seconds: number, rate = 8000): Buffer {
  const data = Buffer.alloc(Math.round(seconds * rate), 128);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate, 28); // bytes per second
  header.writeUInt16LE(1, 32); // bytes per frame
  header.writeUInt16LE(8, 34); // bits per sample
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** A real MP3: `frames` silent MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz), 1,152 samples each. */
function mp3(frames: number): Buffer {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x64], 0);
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}

/** An ISO base media box: its size, its type, its payload. */
function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

/**
 * An MP4 without sound (no audio track: music-metadata's own length comes from one) whose index
 * (`moov`) comes after `mediaBytes` of media data, as a camera writes it: its length is in the
 * movie header (`mvhd`, version 0, 1,000 units a second).
 */
function silentMovie(durationMs: number, mediaBytes: number): Buffer {
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(1000, 12); // timescale
  mvhd.writeUInt32BE(durationMs, 16);
  mvhd.writeUInt32BE(0x0001_0000, 20); // rate 1.0
  mvhd.writeUInt16BE(0x0100, 24); // volume 1.0
  mvhd.writeUInt32BE(2, 96); // next track id
  return Buffer.concat([
    box('ftyp', Buffer.from('isom'), Buffer.alloc(4), Buffer.from('isomiso2mp41')),
    box('mdat', Buffer.alloc(mediaBytes)),
    box('moov', box('mvhd', mvhd)),
  ]);
}

const SVG = Buffer.from(
  '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>',
);

function square(side: number): Promise<Buffer> {
  return sharp({ create: { width: side, height: side, channels: 3, background: { r: 10, g: 120, b: 200 } } })
    .png()
    .toBuffer();
}

async function absolute(url: string): Promise<URL> {
  return new URL(url, (await getTestServer()).url);
}

/** Asks for a slot and sends `bytes` to its (disk) target; answers the upload's id. */
const slotWith = async (user: Api, bytes: Buffer, declared: { name: string; type: string }) =>
  putInSlot(user, (await getTestServer()).url, bytes, declared);

/** Sends `bytes` through a slot and completes it; answers the completion. */
async function upload(user: Api, bytes: Buffer, declared: { name: string; type: string }) {
  const id = await slotWith(user, bytes, declared);
  return user.post(`/v1/uploads/${id}/complete`);
}

async function setPolicy(t: TestApp, body: Record<string, unknown>) {
  const reply = await t.server.put(POLICY, body);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body.policy;
}

/** The uploads rows of an app, read with the unscoped database (what the API cannot show). */
async function uploadCount(t: TestApp): Promise<number> {
  const server = await getTestServer();
  const row = await server.store.db
    .selectFrom('uploads')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('app_id', '=', t.app.id)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('the upload policy of an app', () => {
  it('starts with the defaults and changes only what is given', async () => {
    const t = await newTestApp();
    const initial = await t.server.get(POLICY);
    expect(initial.status).toBe(200);
    expect(initial.body.policy).toEqual({
      max_bytes: 100 * MIB,
      max_bytes_ceiling: 5 * 1024 * MIB,
      allowed_types: null,
      blocked_types: ['image/svg+xml', 'text/html', 'application/xhtml+xml', 'text/xml', 'application/xml'],
      max_image_pixels: 64_000_000,
      uploads_per_minute: 30,
      updated_at: null,
    });
    const changed = await setPolicy(t, { max_bytes: 2 * MIB, allowed_types: ['image/*', 'application/pdf'] });
    expect(changed).toMatchObject({
      max_bytes: 2 * MIB,
      allowed_types: ['image/*', 'application/pdf'],
      blocked_types: initial.body.policy.blocked_types,
      uploads_per_minute: 30,
    });
    expect(Date.parse(changed.updated_at)).toBeGreaterThan(0);
    const again = await setPolicy(t, { uploads_per_minute: 5, allowed_types: null });
    expect(again).toMatchObject({ max_bytes: 2 * MIB, allowed_types: null, uploads_per_minute: 5 });
    expect((await t.server.get(POLICY)).body.policy).toEqual(again);
  });

  it('refuses bad bodies with the field at fault, changing nothing', async () => {
    const t = await newTestApp();
    await setPolicy(t, { max_bytes: 3 * MIB });
    const before = (await t.server.get(POLICY)).body.policy;
    expectInvalid(await t.server.put(POLICY, { max_bytes: -1 }), ['max_bytes']);
    expectInvalid(await t.server.put(POLICY, { max_bytes: 1.5 }), ['max_bytes']);
    // Over the server's ceiling (CHAT_UPLOAD_MAX_BYTES).
    const over = await t.server.put(POLICY, {
      max_bytes: before.max_bytes_ceiling + 1,
      uploads_per_minute: 1,
    });
    expectInvalid(over, ['max_bytes']);
    expect(over.body.error.message).toContain(String(before.max_bytes_ceiling));
    expectInvalid(
      await t.server.put(POLICY, {
        blocked_types: Array.from({ length: 101 }, (_, i) => `application/x-${i}`),
      }),
      ['blocked_types'],
    );
    expectInvalid(await t.server.put(POLICY, { allowed_types: ['image/png', 'svg'] }), ['allowed_types', 1]);
    expectInvalid(await t.server.put(POLICY, { allowed_types: ['*/*'] }), ['allowed_types', 0]);
    expectInvalid(await t.server.put(POLICY, { allowed_types: [] }), ['allowed_types']);
    expectInvalid(await t.server.put(POLICY, { blocked_types: ['text/html', 'text/html'] }), [
      'blocked_types',
    ]);
    expectInvalid(await t.server.put(POLICY, { max_image_pixels: 0 }), ['max_image_pixels']);
    expectInvalid(await t.server.put(POLICY, { max_image_pixels: 1e12 }), ['max_image_pixels']);
    expectInvalid(await t.server.put(POLICY, { uploads_per_minute: 0 }), ['uploads_per_minute']);
    expectInvalid(await t.server.put(POLICY, { uploads_per_minute: 100_000 }), ['uploads_per_minute']);
    expectInvalid(await t.server.put(POLICY, {}), []);
    expectError(await t.server.put(POLICY, { max_bytes: 1, ttl: 5 }), 400, 'validation_failed');
    expect((await t.server.get(POLICY)).body.policy).toEqual(before);
  });

  it('is the backend’s: user tokens, an app admin’s too, get 403 and change nothing', async () => {
    const t = await newTestApp();
    const [alice] = await usersOf(t, 'alice');
    await t.server.post('/v1/users', { users: [{ id: 'boss', role: 'admin' }] });
    const boss = await t.user('boss');
    for (const user of [alice, boss]) {
      expectError(await user.get(POLICY), 403, 'forbidden');
      expectError(await user.put(POLICY, { max_bytes: 1 }), 403, 'forbidden');
    }
    expectError(await t.anonymous.get(POLICY), 401);
    expect((await t.server.get(POLICY)).body.policy.updated_at).toBeNull();
  });
});

describe('uploads under the app’s policy', () => {
  it('refuses a slot over the new size limit at once, and a completion over a limit lowered meanwhile', async () => {
    const t = await newTestApp();
    const [alice] = await usersOf(t, 'alice');
    const early = await slotWith(alice, Buffer.alloc(3_000, 'a'), { name: 'a.txt', type: 'text/plain' });
    await setPolicy(t, { max_bytes: 2_000 });

    const big = await alice.post('/v1/uploads', { name: 'b.txt', type: 'text/plain', size: 2_001 });
    expectError(big, 422, 'upload_refused');
    expect(big.body.error.details.reason).toBe('too_large');
    expect(big.body.error.message).toContain('2000');
    // The slot was given under the old limit; the file is held to the one in force now.
    const done = await alice.post(`/v1/uploads/${early}/complete`);
    expectError(done, 422, 'upload_refused');
    expect(done.body.error.details.reason).toBe('too_large');

    const fits = await upload(alice, Buffer.alloc(2_000, 'c'), { name: 'c.txt', type: 'text/plain' });
    expect(fits.body.upload).toMatchObject({ state: 'ready', size: 2_000 });
  });

  it('refuses types outside allowed_types, by the declared type and by the bytes', async () => {
    const t = await newTestApp();
    const [alice] = await usersOf(t, 'alice');
    await setPolicy(t, { allowed_types: ['image/*', 'audio/wav'] });
    const text = await alice.post('/v1/uploads', { name: 'a.txt', type: 'text/plain', size: 5 });
    expectError(text, 422, 'upload_refused');
    expect(text.body.error.details.reason).toBe('blocked_type');
    // Announced as an image, but text: the sniffed type is held to the policy too.
    const lie = await slotWith(alice, Buffer.from('just some text\n'), { name: 'x.png', type: 'image/png' });
    const refused = await alice.post(`/v1/uploads/${lie}/complete`);
    expectError(refused, 422, 'upload_refused');
    expect(refused.body.error.details.reason).toBe('blocked_type');
    // What it allows goes through.
    const image = await upload(alice, await square(8), { name: 'dot.png', type: 'image/png' });
    expect(image.body.upload).toMatchObject({ state: 'ready', kind: 'image' });
    const sound = await upload(alice, wav(0.25), { name: 'beep.wav', type: 'audio/wav' });
    expect(sound.body.upload).toMatchObject({ state: 'ready', kind: 'audio' });
  });

  it('serves an SVG an app unblocked only as a download, and another app still refuses it', async () => {
    const t = await newTestApp();
    const other = await newTestApp();
    const [alice] = await usersOf(t, 'alice');
    const [mallory] = await usersOf(other, 'mallory');
    await setPolicy(t, { blocked_types: ['text/html', 'application/xhtml+xml'] });

    const done = await upload(alice, SVG, { name: 'logo.svg', type: 'image/svg+xml' });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    // A file to the server, not an image: never decoded, never shown inline.
    expect(done.body.upload).toMatchObject({ state: 'ready', kind: 'file', mime_type: 'image/svg+xml' });
    const file = await fetch(await absolute(done.body.upload.url));
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="logo.svg"/);
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await file.arrayBuffer()).equals(SVG)).toBe(true);

    const elsewhere = await mallory.post('/v1/uploads', {
      name: 'x.svg',
      type: 'image/svg+xml',
      size: SVG.length,
    });
    expectError(elsewhere, 422, 'upload_refused');
    expect(elsewhere.body.error.details.reason).toBe('blocked_type');
    // HTML stays blocked in the app that unblocked SVG.
    const html = await alice.post('/v1/uploads', { name: 'x.html', type: 'text/html', size: 10 });
    expect(html.body.error.details.reason).toBe('blocked_type');
  });

  it('holds images to the app’s pixel limit in processing; another app’s limit is its own', async () => {
    const t = await newTestApp();
    const other = await newTestApp();
    const [alice] = await usersOf(t, 'alice');
    const [bob] = await usersOf(other, 'bob');
    await setPolicy(t, { max_image_pixels: 1_000 });
    const image = await square(40);

    const refused = await upload(alice, image, { name: 'square.png', type: 'image/png' });
    expect(refused.status, JSON.stringify(refused.body)).toBe(200);
    expect(refused.body.upload).toMatchObject({
      state: 'refused',
      url: null,
      refusal: { reason: 'too_many_pixels', message: expect.stringContaining('40×40') },
    });
    const accepted = await upload(bob, image, { name: 'square.png', type: 'image/png' });
    expect(accepted.body.upload).toMatchObject({ state: 'ready', width: 40, height: 40 });

    await setPolicy(t, { max_image_pixels: 1_600 });
    const now = await upload(alice, image, { name: 'square.png', type: 'image/png' });
    expect(now.body.upload).toMatchObject({ state: 'ready', width: 40, height: 40 });
  });

  it('gives each user the app’s number of slots per minute, then 429 with retry_after_ms, creating nothing', async () => {
    const t = await newTestApp();
    const other = await newTestApp();
    const [alice, bob] = await usersOf(t, 'alice', 'bob');
    const [carol] = await usersOf(other, 'alice');
    await setPolicy(t, { uploads_per_minute: 3, max_bytes: 1_000 });
    const slot = (user: Api, size = 10) =>
      user.post('/v1/uploads', { name: 'a.txt', type: 'text/plain', size });

    // A slot the policy refuses is not counted.
    expectError(await slot(alice, 5_000), 422, 'upload_refused');
    for (let i = 0; i < 3; i++) expect((await slot(alice)).status).toBe(201);
    const count = await uploadCount(t);
    const limited = await slot(alice);
    expectError(limited, 429, 'rate_limited');
    expect(limited.body.error.retryable).toBe(true);
    expect(limited.body.error.details.retry_after_ms).toBeGreaterThan(0);
    expect(limited.body.error.details.retry_after_ms).toBeLessThanOrEqual(60_000);
    expect(await uploadCount(t)).toBe(count);
    expect(count).toBe(3);

    // Per user, per app: bob, and alice of another app, have their own minutes.
    expect((await slot(bob)).status).toBe(201);
    expect((await slot(carol)).status).toBe(201);
    // A raised limit applies at once.
    await setPolicy(t, { uploads_per_minute: 4 });
    expect((await slot(alice)).status).toBe(201);
    expectError(await slot(alice), 429, 'rate_limited');
  });

  it.skipIf(!process.env.REDIS_URL)('counts a user’s slots across nodes through Redis', async () => {
    const shared = { redisUrl: process.env.REDIS_URL!, redisPrefix: `test-uploads-${clientId()}:` };
    const [a, b] = [await startTestServer(shared), await startTestServer(shared)];
    try {
      const t = await testAppOn(a);
      const [alice] = await usersOf(t, 'alice');
      await setPolicy(t, { uploads_per_minute: 2 });
      const aliceOnB = new Api(b.url, t.app.api_key, alice.token);
      const slot = (user: Api) => user.post('/v1/uploads', { name: 'a.txt', type: 'text/plain', size: 10 });
      expect((await slot(alice)).status).toBe(201);
      expect((await slot(aliceOnB)).status).toBe(201);
      expectError(await slot(alice), 429, 'rate_limited');
      expectError(await slot(aliceOnB), 429, 'rate_limited');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('duration of video and audio', () => {
  it('reads a WAV’s and an MP3’s length from their headers, and shows it on the message', async () => {
    const t = await newTestApp();
    const [alice, bob] = await usersOf(t, 'alice', 'bob');
    const voice = await upload(alice, wav(1.5), { name: 'voice.wav', type: 'audio/wav' });
    expect(voice.status, JSON.stringify(voice.body)).toBe(200);
    expect(voice.body.upload).toMatchObject({
      state: 'ready',
      kind: 'audio',
      mime_type: 'audio/wav',
      duration_ms: 1_500,
    });
    const song = await upload(alice, mp3(100), { name: 'song.mp3', type: 'audio/mpeg' });
    // 100 frames of 1,152 samples at 44.1 kHz.
    expect(song.body.upload).toMatchObject({ kind: 'audio', duration_ms: 2_612 });
    const notes = await upload(alice, Buffer.from('minutes\n'), { name: 'notes.txt', type: 'text/plain' });
    expect(notes.body.upload.duration_ms).toBeNull();
    expect((await alice.get(`/v1/uploads/${voice.body.upload.id}`)).body.upload.duration_ms).toBe(1_500);

    const cid = await createChannel(alice, 'room', ['bob']);
    const sent = await alice.post(`${channelPath(cid)}/messages`, {
      client_msg_id: clientId(),
      text: 'listen',
      attachments: [{ upload_id: voice.body.upload.id }, { upload_id: notes.body.upload.id }],
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect(sent.body.message.attachments[0]).toMatchObject({ type: 'audio', duration_ms: 1_500 });
    expect(sent.body.message.attachments[1]).not.toHaveProperty('duration_ms');
    const read = await bob.get(`${channelPath(cid)}/messages`);
    const message = read.body.messages.find((m: { id: string }) => m.id === sent.body.message.id);
    expect(message.attachments[0]).toMatchObject({ upload_id: voice.body.upload.id, duration_ms: 1_500 });
  });

  it('jumps over an MP4’s media data to its index at the end, past more bytes than it may read', async () => {
    const t = await newTestApp();
    const [alice] = await usersOf(t, 'alice');
    // 6 MiB of media first: reading it would exceed the 4 MiB the duration may cost.
    const done = await upload(alice, silentMovie(4_321, 6 * MIB), { name: 'screen.mp4', type: 'video/mp4' });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.upload).toMatchObject({
      state: 'ready',
      kind: 'video',
      mime_type: 'video/mp4',
      duration_ms: 4_321,
    });
  });

  it('leaves the duration null when the headers do not give it', async () => {
    const t = await newTestApp();
    const [alice] = await usersOf(t, 'alice');
    // A WAV cut before its format chunk: sniffed as audio, with nothing to read a length from.
    const cut = wav(0.5).subarray(0, 16);
    const done = await upload(alice, cut, { name: 'cut.wav', type: 'audio/wav' });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.upload).toMatchObject({ state: 'ready', kind: 'audio', duration_ms: null });
  });
});

describe('the policy on S3-compatible storage', () => {
  let s3: S3Server;
  let server: ChatServer;

  beforeAll(async () => {
    s3 = await startS3Server('chat-upload-policy');
    server = await createChatServer({
      store: await getTestStore(),
      port: 0,
      host: '127.0.0.1',
      seedDemo: false,
      secretKey: TEST_SECRET_KEY,
      logLevel: 'silent',
      s3: s3ConfigOf(s3),
      uploadMaxBytesCeiling: 10 * MIB,
    });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await s3?.stop();
  });

  async function post(user: Api, bytes: Buffer, declared: { name: string; type: string }) {
    const slot = await user.post('/v1/uploads', { size: bytes.length, ...declared });
    expect(slot.status, JSON.stringify(slot.body)).toBe(201);
    const form = new FormData();
    for (const [name, value] of Object.entries(slot.body.target.fields as Record<string, string>))
      form.append(name, value);
    form.append('file', new Blob([bytes], { type: declared.type }), declared.name);
    const posted = await fetch(slot.body.target.url, { method: 'POST', body: form });
    expect(posted.status, await posted.text()).toBeLessThan(300);
    return user.post(`/v1/uploads/${slot.body.upload.id}/complete`);
  }

  it('bounds max_bytes by the configured ceiling, the default included', async () => {
    const t = await testAppOn(server);
    const policy = (await t.server.get(POLICY)).body.policy;
    expect(policy).toMatchObject({ max_bytes: 10 * MIB, max_bytes_ceiling: 10 * MIB });
    expectInvalid(await t.server.put(POLICY, { max_bytes: 10 * MIB + 1 }), ['max_bytes']);
    expect((await t.server.put(POLICY, { max_bytes: 10 * MIB })).status).toBe(200);
  });

  it('reads a WAV’s duration through ranged reads, and serves an unblocked SVG as a download', async () => {
    const t = await testAppOn(server);
    const [alice] = await usersOf(t, 'alice');
    const voice = await post(alice, wav(2), { name: 'voice.wav', type: 'audio/wav' });
    expect(voice.body.upload).toMatchObject({ state: 'ready', kind: 'audio', duration_ms: 2_000 });

    await setPolicy(t, { blocked_types: ['text/html'] });
    const logo = await post(alice, SVG, { name: 'logo.svg', type: 'image/svg+xml' });
    expect(logo.body.upload).toMatchObject({ state: 'ready', kind: 'file', mime_type: 'image/svg+xml' });
    const file = await fetch(logo.body.upload.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="logo.svg"/);
  });
});
