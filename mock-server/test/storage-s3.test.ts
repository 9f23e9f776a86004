import { createHmac, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadWindow, type UploadTarget } from '../src/storage/object-storage';
import { createS3Storage } from '../src/storage/s3-storage';
import { type S3Server, s3ConfigOf, startS3Server } from './s3-server';

/**
 * The S3 driver against a real S3-compatible server process (s3rver 3.7), not a mocked client.
 *
 * What s3rver does NOT enforce (read from its source, node_modules/s3rver/lib):
 * - POST uploads (controllers/object.js `postObject`): the `policy` field is marked
 *   "unimplemented" and skipped, and no signature is checked (a form POST carries no
 *   Authorization header or X-Amz-* query, so middleware/authentication.js lets it through as
 *   anonymous). So neither `content-length-range`, nor the Content-Type condition, nor the policy's
 *   expiration, nor its signature is checked: an oversized, expired or forged upload is stored.
 * - SigV4 signatures at all (middleware/authentication.js: "Signature version 4 calculation is
 *   unimplemeneted"): a presigned GET with a tampered X-Amz-Signature is served.
 * What it DOES enforce on a presigned GET: the access key id must be its own (`S3RVER`, else
 *   403 InvalidAccessKeyId), and X-Amz-Date + X-Amz-Expires must not be past (403 "Request has
 *   expired").
 * The tests below assert s3rver's real behaviour, so they fail if it changes; where s3rver cannot
 * check something AWS S3 does, they check what the driver signed instead (the policy's conditions
 * and its signature, recomputed as S3 does). The chat server also checks an upload's size after it.
 */

let s3: S3Server;

beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.stop();
});

function storage(overrides: { accessKeyId?: string; publicEndpoint?: string } = {}) {
  return createS3Storage({ ...s3ConfigOf(s3), ...overrides });
}

/** Uploads as a browser would: the target's fields first, the file last. */
async function postUpload(
  target: UploadTarget,
  bytes: Uint8Array,
  fields = target.fields,
): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([bytes], { type: fields['Content-Type'] }), 'upload.bin');
  return fetch(target.url, { method: 'POST', body: form });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SigV4 of a POST policy (what S3 checks): HMAC-SHA256 of the base64 policy under the derived key. */
function policySignature(base64Policy: string, secretAccessKey: string, credential: string): string {
  // Credential: <access key>/<yyyymmdd>/<region>/s3/aws4_request
  const [, date, region, service] = credential.split('/') as [string, string, string, string];
  let key: Buffer = Buffer.from(`AWS4${secretAccessKey}`);
  for (const part of [date, region, service, 'aws4_request'])
    key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(base64Policy).digest('hex');
}

interface PostPolicy {
  expiration: string;
  conditions: unknown[];
}

function decodePolicy(fields: Record<string, string>): PostPolicy {
  return JSON.parse(Buffer.from(fields.Policy!, 'base64').toString('utf8')) as PostPolicy;
}

describe('presigned POST upload', () => {
  it('stores the bytes; head, read and a range read see them', async () => {
    const store = storage();
    const key = 'app1/upload-1/original';
    const bytes = randomBytes(1000);
    const target = await store.uploadTarget(key, {
      maxBytes: 1024,
      contentType: 'image/png',
      ttlSeconds: 60,
    });
    expect(target.method).toBe('POST');
    expect(target.url).toBe(`${s3.endpoint}/${s3.bucket}`);
    expect(target.headers).toEqual({});
    expect(target.fields).toMatchObject({ key, 'Content-Type': 'image/png' });

    const response = await postUpload(target, bytes);
    expect(response.status, await response.clone().text()).toBe(204);

    expect(await store.head(key)).toEqual({ size: 1000 });
    expect(await readAll(await store.read(key))).toEqual(bytes);
    expect(await readAll(await store.read(key, { start: 10, end: 19 }))).toEqual(bytes.subarray(10, 20));
  });

  it('signs a policy that caps the size, pins the type and expires with the target', async () => {
    const target = await storage().uploadTarget('app1/upload-2/original', {
      maxBytes: 2048,
      contentType: 'video/mp4',
      ttlSeconds: 300,
    });
    const policy = decodePolicy(target.fields);
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 0, 2048],
        ['eq', '$Content-Type', 'video/mp4'],
        { 'Content-Type': 'video/mp4' },
        { bucket: s3.bucket },
        { key: 'app1/upload-2/original' },
      ]),
    );
    // The policy has whole seconds; expiresAt was taken just before signing.
    expect(Math.abs(Date.parse(policy.expiration) - target.expiresAt.getTime())).toBeLessThan(2_000);
    expect(target.expiresAt.getTime() - Date.now()).toBeGreaterThan(295_000);
    // s3rver never checks this signature (see top), so check it as AWS S3 would.
    expect(target.fields['X-Amz-Signature']).toBe(
      policySignature(target.fields.Policy!, s3.secretAccessKey, target.fields['X-Amz-Credential']!),
    );
  });

  it('an upload over maxBytes: s3rver stores it (it ignores content-length-range)', async () => {
    const store = storage();
    const key = 'app1/upload-3/original';
    const target = await store.uploadTarget(key, { maxBytes: 100, contentType: 'image/png', ttlSeconds: 60 });
    const response = await postUpload(target, randomBytes(101));
    // AWS S3 answers 400 EntityTooLarge here. s3rver skips the policy field (postObject: "policy:
    // unimplemented"), so it stores the 101 bytes: this is why the chat server checks head() after.
    expect(response.status).toBe(204);
    expect(await store.head(key)).toEqual({ size: 101 });
  });

  it('a forged or expired policy: s3rver accepts both (it checks neither policy nor signature)', async () => {
    const store = storage();
    const target = await store.uploadTarget('app1/upload-4/original', {
      maxBytes: 100,
      contentType: 'image/png',
      ttlSeconds: 1,
    });
    // Forged: the cap raised in the policy, the old signature kept. AWS S3 answers 403
    // SignatureDoesNotMatch; the signature no longer matches the policy, as recomputing shows.
    const policy = decodePolicy(target.fields);
    policy.conditions = policy.conditions.map((condition) =>
      Array.isArray(condition) && condition[0] === 'content-length-range'
        ? [condition[0], 0, 10_000]
        : condition,
    );
    const forgedPolicy = Buffer.from(JSON.stringify(policy)).toString('base64');
    expect(policySignature(forgedPolicy, s3.secretAccessKey, target.fields['X-Amz-Credential']!)).not.toBe(
      target.fields['X-Amz-Signature'],
    );
    const forged = await postUpload(target, randomBytes(500), { ...target.fields, Policy: forgedPolicy });
    expect(forged.status).toBe(204);

    // Expired: AWS S3 answers 403 "Invalid according to Policy: Policy expired"; s3rver stores it.
    await sleep(2_100);
    expect(Date.parse(decodePolicy(target.fields).expiration)).toBeLessThan(Date.now());
    const expired = await postUpload(target, randomBytes(50));
    expect(expired.status).toBe(204);
    expect(await store.head('app1/upload-4/original')).toEqual({ size: 50 });
  });
});

describe('write and downloadUrl', () => {
  it('writes a stream (multipart past 5 MiB) and bytes; a download URL serves them with the overrides', async () => {
    const store = storage();
    // Larger than lib-storage's 5 MiB part, of unknown length: sent as a multipart upload.
    const chunk = randomBytes(256 * 1024);
    const chunkCount = 25;
    await store.write(
      'app1/upload-5/video',
      Readable.from(
        (function* () {
          for (let i = 0; i < chunkCount; i++) yield chunk;
        })(),
      ),
      'video/mp4',
    );
    expect(await store.head('app1/upload-5/video')).toEqual({ size: chunk.length * chunkCount });
    expect(await readAll(await store.read('app1/upload-5/video'))).toEqual(
      Buffer.concat(Array.from({ length: chunkCount }, () => chunk)),
    );

    const thumbnail = randomBytes(3000);
    await store.write('app1/upload-5/thumb', thumbnail, 'image/webp');
    const url = await store.downloadUrl('app1/upload-5/thumb', {
      window: downloadWindow(60),
      contentType: 'image/webp',
      contentDisposition: 'attachment; filename="thumb.webp"',
    });
    expect(url).not.toBeNull();
    const response = await fetch(url!);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/webp');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="thumb.webp"');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(thumbnail);

    const video = await fetch(
      (await store.downloadUrl('app1/upload-5/video', {
        window: downloadWindow(60),
        contentType: 'video/mp4',
        contentDisposition: 'inline',
      }))!,
      { headers: { Range: 'bytes=0-9' } },
    );
    expect(video.status).toBe(206);
    expect(video.headers.get('content-disposition')).toBe('inline');
    expect(Buffer.from(await video.arrayBuffer())).toEqual(chunk.subarray(0, 10));
  });

  it('a tampered signature is served by s3rver (it does not verify SigV4); an unknown key and an expired URL are refused', async () => {
    const store = storage();
    await store.write('app1/upload-6/original', randomBytes(10), 'application/pdf');
    const options = { contentType: 'application/pdf', contentDisposition: 'attachment; filename="a.pdf"' };

    const tampered = new URL(
      (await store.downloadUrl('app1/upload-6/original', { ...options, window: downloadWindow(60) }))!,
    );
    const signature = tampered.searchParams.get('X-Amz-Signature')!;
    tampered.searchParams.set(
      'X-Amz-Signature',
      `${signature.startsWith('0') ? '1' : '0'}${signature.slice(1)}`,
    );
    // AWS S3 answers 403 SignatureDoesNotMatch; s3rver skips the SigV4 calculation.
    expect((await fetch(tampered)).status).toBe(200);

    // s3rver does check that the access key is one of its own.
    const strangerUrl = await storage({ accessKeyId: 'NOT-A-KEY' }).downloadUrl('app1/upload-6/original', {
      ...options,
      window: downloadWindow(60),
    });
    const stranger = await fetch(strangerUrl!);
    expect(stranger.status).toBe(403);
    expect(await stranger.text()).toContain('InvalidAccessKeyId');

    // ...and that X-Amz-Date + X-Amz-Expires has not passed.
    const shortLived = await store.downloadUrl('app1/upload-6/original', {
      ...options,
      window: downloadWindow(1),
    });
    await sleep(2_100);
    const expired = await fetch(shortLived!);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');
  });

  it('signs upload and download URLs for publicEndpoint when it is set', async () => {
    // localhost and 127.0.0.1 reach the same s3rver: the server calls one, the "browser" the other.
    const publicEndpoint = `http://localhost:${s3.port}`;
    const store = storage({ publicEndpoint });
    const key = 'app1/upload-7/original';
    const bytes = randomBytes(64);

    const target = await store.uploadTarget(key, {
      maxBytes: 1024,
      contentType: 'image/gif',
      ttlSeconds: 60,
    });
    expect(target.url).toBe(`${publicEndpoint}/${s3.bucket}`);
    expect((await postUpload(target, bytes)).status).toBe(204);
    expect(await store.head(key)).toEqual({ size: 64 });

    const url = await store.downloadUrl(key, {
      window: downloadWindow(60),
      contentType: 'image/gif',
      contentDisposition: 'inline',
    });
    expect(url!.startsWith(`${publicEndpoint}/${s3.bucket}/`)).toBe(true);
    expect(Buffer.from(await (await fetch(url!)).arrayBuffer())).toEqual(bytes);
  });
});

describe('delete', () => {
  it('removes the object; head then says null, read rejects, and deleting a missing key is fine', async () => {
    const store = storage();
    const key = 'app1/upload-8/original';
    await store.write(key, randomBytes(5), 'text/plain');
    expect(await store.head(key)).toEqual({ size: 5 });

    await store.delete(key);
    expect(await store.head(key)).toBeNull();
    await expect(store.read(key)).rejects.toThrow();
    await expect(store.delete(key)).resolves.toBeUndefined();
    await expect(store.delete('app1/never-uploaded/original')).resolves.toBeUndefined();
  });
});
