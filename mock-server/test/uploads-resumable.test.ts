import { createCipheriv, createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepUploads } from '../src/jobs/upload-sweep';
import type { ChatServer } from '../src/startup/server';
import { createDiskStorage } from '../src/storage/disk-storage';
import type { ObjectStorage } from '../src/storage/object-storage';
import { createS3Storage } from '../src/storage/s3-storage';
import { createUrlSigner } from '../src/storage/url-signer';
import { type Api, startTestServer, type TestApp, testAppOn } from './api';
import { expectError } from './rest-helpers';
import { type S3Server, s3ConfigOf, startS3Server } from './s3-server';

/**
 * Resumable uploads (storage/upload-parts.ts) through the real server, on disk and on a real
 * S3-compatible server (s3rver, started here; the suite fails, never skips, if it cannot start):
 * a 20 MB file sent in parts whose connection drops mid-part, resumed by a client that remembers
 * nothing (it asks which parts are stored and sends only the rest), completed, and downloaded
 * byte for byte; oversized parts and files refused; parts kept to their owner; delete and the
 * sweep end the multipart upload. Bytes are made part by part (one part in memory at a time).
 */

const MiB = 1024 * 1024;
/** Three parts: 8 MiB, 8 MiB, and 4 MiB and a bit. */
const SIZE = 20 * MiB + 123;
const SEED = createHash('sha256').update('resumable uploads').digest();

/** The bytes of `[start, end)` of the test file: AES-CTR of zeros, so any range is made alone. */
function fileBytes(start: number, end: number): Buffer {
  // CTR mode: block i of the key stream depends only on i, so a range starts at its block.
  const block = Math.floor(start / 16);
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(block, 12);
  const cipher = createCipheriv('aes-256-ctr', SEED, iv);
  const skip = start - block * 16;
  return cipher.update(Buffer.alloc(end - start + skip)).subarray(skip);
}

function expectedHash(size: number, partSize: number): string {
  const hash = createHash('sha256');
  for (let at = 0; at < size; at += partSize) hash.update(fileBytes(at, Math.min(size, at + partSize)));
  return hash.digest('hex');
}

async function hashOf(url: string): Promise<{ hash: string; size: number }> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of response.body!) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { hash: hash.digest('hex'), size };
}

interface Rig {
  kind: 'disk' | 's3';
  server: ChatServer;
  t: TestApp;
  /** The storage the server writes to, as the sweep job gets it. */
  storage(): ObjectStorage;
  stop(): Promise<void>;
}

/**
 * Disk: the test server keeps files in a temporary directory of its own (`chat-uploads-*`); the
 * one holding this app's directory is it.
 */
function diskRootOf(appId: string): string {
  const root = readdirSync(tmpdir())
    .filter((name) => name.startsWith('chat-uploads-'))
    .map((name) => join(tmpdir(), name))
    .find((dir) => existsSync(join(dir, appId)));
  if (!root) throw new Error(`No storage directory holds app ${appId}`);
  return root;
}

const rigs: { kind: 'disk' | 's3'; start(): Promise<Rig> }[] = [
  {
    kind: 'disk',
    async start() {
      const server = await startTestServer();
      const t = await testAppOn(server);
      return {
        kind: 'disk',
        server,
        t,
        storage: () =>
          createDiskStorage({ root: diskRootOf(t.app.id), signer: createUrlSigner('k'.repeat(32)) }),
        stop: () => server.close(),
      };
    },
  },
  {
    kind: 's3',
    async start() {
      const s3: S3Server = await startS3Server('chat-resumable');
      const server = await startTestServer({ s3: s3ConfigOf(s3) });
      const t = await testAppOn(server);
      return {
        kind: 's3',
        server,
        t,
        storage: () => createS3Storage(s3ConfigOf(s3)),
        async stop() {
          await server.close();
          await s3.stop();
        },
      };
    },
  },
];

describe.each(rigs)('resumable uploads on $kind', ({ kind, start }) => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await start();
  }, 60_000);
  afterAll(async () => {
    await rig?.stop();
  });

  const absolute = (url: string) => new URL(url, rig.server.url).href;

  async function begin(user: Api, size = SIZE, name = 'trip.bin') {
    const slot = await user.post('/v1/uploads/resumable', { name, type: 'application/octet-stream', size });
    expect(slot.status, JSON.stringify(slot.body)).toBe(201);
    return slot.body as {
      upload: { id: string; state: string };
      multipart: { part_size: number; part_count: number; expires_at: string };
    };
  }

  async function partUrls(user: Api, id: string, numbers: number[]) {
    const signed = await user.post(`/v1/uploads/${id}/parts`, { part_numbers: numbers });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    return new Map<number, { url: string; headers: Record<string, string>; expires_at: string }>(
      signed.body.parts.map((p: { part_number: number }) => [p.part_number, p]),
    );
  }

  /** PUTs a part to storage; answers its status and the ETag storage gave it. */
  async function put(url: string, headers: Record<string, string>, bytes: Buffer) {
    const response = await fetch(absolute(url), { method: 'PUT', headers, body: bytes });
    await response.text();
    return { status: response.status, etag: response.headers.get('etag') };
  }

  /** Sends part `n` of the test file and records it, as a client does. */
  async function sendPart(user: Api, id: string, partSize: number, n: number, size = SIZE) {
    const [target] = [...(await partUrls(user, id, [n])).values()];
    const bytes = fileBytes((n - 1) * partSize, Math.min(size, n * partSize));
    const sent = await put(target!.url, target!.headers, bytes);
    expect(sent.status).toBe(200);
    expect(sent.etag).toMatch(/^"[0-9a-f]{32}"$/);
    const recorded = await user.put(`/v1/uploads/${id}/parts/${n}`, { etag: sent.etag, size: bytes.length });
    expect(recorded.status, JSON.stringify(recorded.body)).toBe(200);
    expect(recorded.body.part).toEqual({ part_number: n, size: bytes.length, etag: sent.etag });
    return sent.etag!;
  }

  it('resumes after a dropped connection: only the missing parts are sent again, and the file is whole', async () => {
    const [alice] = await rig.t.users('alice');
    const { upload, multipart } = await begin(alice!);
    expect(upload.state).toBe('pending');
    expect(multipart).toMatchObject({ part_size: 8 * MiB, part_count: 3 });
    expect(Date.parse(multipart.expires_at)).toBeGreaterThan(Date.now() + 3600_000);
    const { part_size: partSize } = multipart;

    // The first part goes through; the second's connection drops halfway.
    const first = await sendPart(alice!, upload.id, partSize, 1);
    const urls = await partUrls(alice!, upload.id, [2, 3]);
    for (const target of urls.values()) {
      expect(Date.parse(target.expires_at)).toBeGreaterThan(Date.now());
      expect(Date.parse(target.expires_at)).toBeLessThanOrEqual(Date.now() + 3600_000);
    }
    const half = fileBytes(partSize, partSize + 4 * MiB);
    const drop = new AbortController();
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulls++ === 0) controller.enqueue(half);
        else drop.abort();
      },
    });
    await expect(
      fetch(absolute(urls.get(2)!.url), {
        method: 'PUT',
        body,
        signal: drop.signal,
        duplex: 'half',
      } as RequestInit),
    ).rejects.toThrow();

    // A client that remembers nothing (a reload) asks what is stored: part 1 only.
    const listed = await alice!.get(`/v1/uploads/${upload.id}/parts`);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({
      part_size: partSize,
      part_count: 3,
      parts: [{ part_number: 1, size: partSize, etag: first }],
    });
    // Completing now names what is missing, and loses nothing.
    const early = await alice!.post(`/v1/uploads/${upload.id}/complete`);
    expectError(early, 422, 'upload_refused');
    expect(early.body.error.details).toMatchObject({ reason: 'not_uploaded', missing_parts: [2, 3] });

    const have = new Set(listed.body.parts.map((p: { part_number: number }) => p.part_number));
    for (let n = 1; n <= 3; n++) if (!have.has(n)) await sendPart(alice!, upload.id, partSize, n);
    const all = await alice!.get(`/v1/uploads/${upload.id}/parts`);
    expect(all.body.parts.map((p: { part_number: number; size: number }) => [p.part_number, p.size])).toEqual(
      [
        [1, partSize],
        [2, partSize],
        [3, SIZE - 2 * partSize],
      ],
    );

    const done = await alice!.post(`/v1/uploads/${upload.id}/complete`);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.upload).toMatchObject({ state: 'ready', size: SIZE, kind: 'file' });
    const downloaded = await hashOf(absolute(done.body.upload.url));
    expect(downloaded).toEqual({ hash: expectedHash(SIZE, partSize), size: SIZE });
    // Completing again answers the same upload; its parts are gone, it takes no more.
    const again = await alice!.post(`/v1/uploads/${upload.id}/complete`);
    expect(again.body.upload).toMatchObject({ state: 'ready', size: SIZE });
    expectError(await alice!.get(`/v1/uploads/${upload.id}/parts`), 409, 'conflict');
    expectError(await alice!.post(`/v1/uploads/${upload.id}/parts`, { part_numbers: [1] }), 409, 'conflict');
  });

  if (kind === 'disk') {
    it('disk: refuses a part over the part size, and a last part past the size declared', async () => {
      const [alice] = await rig.t.users('alice');
      const size = 8 * MiB + 10;
      const { upload, multipart } = await begin(alice!, size);
      expect(multipart.part_count).toBe(2);
      const urls = await partUrls(alice!, upload.id, [1, 2]);
      const tooBig = await put(urls.get(1)!.url, {}, fileBytes(0, multipart.part_size + 1));
      expect(tooBig.status).toBe(413);
      const pastSize = await put(urls.get(2)!.url, {}, fileBytes(0, 11));
      expect(pastSize.status).toBe(413);
      // Nothing of either was kept.
      expect((await alice!.get(`/v1/uploads/${upload.id}/parts`)).body.parts).toEqual([]);
      // A report of a part the storage does not have is refused.
      expectError(
        await alice!.put(`/v1/uploads/${upload.id}/parts/1`, {
          etag: '"0123456789abcdef0123456789abcdef"',
          size: 10,
        }),
        422,
        'upload_refused',
      );
    });

    it('disk: parts go straight to their place in the file, in any order; a short part is refused, a re-sent one replaces', async () => {
      const [alice] = await rig.t.users('alice');
      const { upload, multipart } = await begin(alice!);
      const { part_size: partSize } = multipart;
      const urls = await partUrls(alice!, upload.id, [1, 2, 3]);
      // Part 2 shorter than its share would leave a hole: refused, not recorded.
      const short = await put(urls.get(2)!.url, {}, fileBytes(partSize, 2 * partSize - 1));
      expect(short.status).toBe(400);
      expect((await alice!.get(`/v1/uploads/${upload.id}/parts`)).body.parts).toEqual([]);
      // Last part first, then 2, then 1 twice (the second sending replaces the first).
      await sendPart(alice!, upload.id, partSize, 3);
      await sendPart(alice!, upload.id, partSize, 2);
      const firstTag = await sendPart(alice!, upload.id, partSize, 1);
      const secondTag = await sendPart(alice!, upload.id, partSize, 1);
      expect(secondTag).not.toBe(firstTag);
      // The first sending's tag no longer names a stored part.
      expectError(
        await alice!.put(`/v1/uploads/${upload.id}/parts/1`, { etag: firstTag, size: partSize }),
        422,
        'upload_refused',
      );
      const done = await alice!.post(`/v1/uploads/${upload.id}/complete`);
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      expect(await hashOf(absolute(done.body.upload.url))).toEqual({
        hash: expectedHash(SIZE, partSize),
        size: SIZE,
      });
    });
  } else {
    it('s3: a part over the part size reaches storage (S3 cannot cap a presigned UploadPart), and completion refuses the file', async () => {
      const [alice] = await rig.t.users('alice');
      const size = 5 * MiB;
      const { upload, multipart } = await begin(alice!, size);
      expect(multipart).toMatchObject({ part_size: 8 * MiB, part_count: 1 });
      const urls = await partUrls(alice!, upload.id, [1]);
      const bytes = fileBytes(0, size + 1);
      const sent = await put(urls.get(1)!.url, {}, bytes);
      expect(sent.status).toBe(200);
      // Reporting the true size is refused at once; a client that lies is caught at completion.
      expectError(
        await alice!.put(`/v1/uploads/${upload.id}/parts/1`, { etag: sent.etag, size: bytes.length }),
        400,
        'validation_failed',
      );
      expect((await alice!.put(`/v1/uploads/${upload.id}/parts/1`, { etag: sent.etag, size })).status).toBe(
        200,
      );
      const done = await alice!.post(`/v1/uploads/${upload.id}/complete`);
      expectError(done, 422, 'upload_refused');
      expect(done.body.error.details.reason).toBe('too_large');
      expect((await alice!.get(`/v1/uploads/${upload.id}`)).body.upload.state).toBe('refused');
      expect(await rig.storage().head(`${rig.t.app.id}/${upload.id}/original`)).toBeNull();
    });
  }

  it("refuses a part's report claiming more than its share of the size declared", async () => {
    const [alice] = await rig.t.users('alice');
    // Declared 9 MiB: two parts, the second of 1 MiB. A part's report may not exceed its share,
    // so the only way past the size is bytes that storage took unchecked (S3); on disk the part
    // route caps every part, so the total can never be past it.
    const size = 9 * MiB;
    const { upload, multipart } = await begin(alice!, size);
    await sendPart(alice!, upload.id, multipart.part_size, 1, size);
    await sendPart(alice!, upload.id, multipart.part_size, 2, size);
    expectError(
      await alice!.put(`/v1/uploads/${upload.id}/parts/2`, { etag: '"00"', size: MiB + 1 }),
      400,
      'validation_failed',
    );
    const done = await alice!.post(`/v1/uploads/${upload.id}/complete`);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.upload.size).toBe(size);
  });

  it("keeps a resumable upload's parts to its owner: another user, another app, a server token get nothing", async () => {
    const [alice, bob] = await rig.t.users('alice', 'bob');
    const other = await testAppOn(rig.server);
    const [mallory] = await other.users('alice');
    const { upload, multipart } = await begin(alice!);
    const etag = await sendPart(alice!, upload.id, multipart.part_size, 1);
    for (const intruder of [bob!, mallory!]) {
      expectError(await intruder.get(`/v1/uploads/${upload.id}/parts`), 404, 'not_found');
      expectError(
        await intruder.post(`/v1/uploads/${upload.id}/parts`, { part_numbers: [2] }),
        404,
        'not_found',
      );
      expectError(
        await intruder.put(`/v1/uploads/${upload.id}/parts/2`, { etag, size: multipart.part_size }),
        404,
        'not_found',
      );
      expectError(await intruder.post(`/v1/uploads/${upload.id}/complete`), 404, 'not_found');
      expectError(await intruder.delete(`/v1/uploads/${upload.id}`), 404, 'not_found');
    }
    expectError(await rig.t.server.get(`/v1/uploads/${upload.id}/parts`), 403, 'forbidden');
    // Bad input changes nothing: a part past the last, repeated numbers, a forged ETag.
    expectError(
      await alice!.post(`/v1/uploads/${upload.id}/parts`, { part_numbers: [4] }),
      400,
      'validation_failed',
    );
    expectError(
      await alice!.post(`/v1/uploads/${upload.id}/parts`, { part_numbers: [1, 1] }),
      400,
      'validation_failed',
    );
    expectError(
      await alice!.put(`/v1/uploads/${upload.id}/parts/1`, { etag: '"x"\r\nX-Evil: 1', size: 1 }),
      400,
      'validation_failed',
    );
    expectError(await alice!.get(`/v1/uploads/${upload.id}/parts/1`), 404, 'not_found');
    const listed = await alice!.get(`/v1/uploads/${upload.id}/parts`);
    expect(listed.body.parts).toEqual([{ part_number: 1, size: multipart.part_size, etag }]);
    // An upload sent in one request has no parts.
    const single = await alice!.post('/v1/uploads', { name: 'a.txt', type: 'text/plain', size: 3 });
    expectError(await alice!.get(`/v1/uploads/${single.body.upload.id}/parts`), 409, 'conflict');
  });

  it('delete ends the multipart upload: its parts and their URLs are gone', async () => {
    const [alice] = await rig.t.users('alice');
    const { upload, multipart } = await begin(alice!);
    await sendPart(alice!, upload.id, multipart.part_size, 1);
    const later = await partUrls(alice!, upload.id, [2]);
    expect((await alice!.delete(`/v1/uploads/${upload.id}`)).body).toEqual({ ok: true });
    expectError(await alice!.get(`/v1/uploads/${upload.id}/parts`), 404, 'not_found');
    expectError(await alice!.post(`/v1/uploads/${upload.id}/complete`), 404, 'not_found');
    if (rig.kind === 'disk') {
      // A part URL handed out before cannot bring the upload back.
      const late = await put(later.get(2)!.url, {}, fileBytes(0, 10));
      expect(late.status).toBe(404);
      const dir = join(diskRootOf(rig.t.app.id), rig.t.app.id, upload.id);
      expect(existsSync(dir) ? await readdir(dir) : []).toEqual([]);
    }
  });

  it('the sweep ends abandoned multipart uploads and removes their parts', async () => {
    const [alice] = await rig.t.users('alice');
    const { upload, multipart } = await begin(alice!);
    await sendPart(alice!, upload.id, multipart.part_size, 1);
    const { db } = rig.server.store;
    const key = `${rig.t.app.id}/${upload.id}/original`;
    const { multipart_id: multipartId } = await db
      .selectFrom('uploads')
      .select('multipart_id')
      .where('id', '=', upload.id)
      .executeTakeFirstOrThrow();
    await db
      .updateTable('uploads')
      .set({ expires_at: new Date(Date.now() - 2 * 3600_000) })
      .where('id', '=', upload.id)
      .execute();
    const storage = rig.storage();
    expect(await sweepUploads(db, storage, 3600_000)).toBeGreaterThanOrEqual(1);
    expect(await db.selectFrom('uploads').select('id').where('id', '=', upload.id).execute()).toEqual([]);
    expect(
      await db.selectFrom('upload_parts').select('part_number').where('upload_id', '=', upload.id).execute(),
    ).toEqual([]);
    if (rig.kind === 'disk') {
      const dir = join(diskRootOf(rig.t.app.id), rig.t.app.id, upload.id);
      expect(existsSync(dir) ? await readdir(dir) : []).toEqual([]);
    } else {
      // s3rver does not implement AbortMultipartUpload (it answers 405 MethodNotAllowed; read in
      // its lib/routes.js): the driver reports that instead of failing every sweep. On AWS the
      // abort removes the parts (and a lifecycle rule is the backstop, storage/README.md).
      expect(await storage.multipart.abort(key, multipartId!)).toBe(false);
    }
  });
});
