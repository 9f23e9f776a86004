import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, startServer } from '../../test/e2e-harness';
import { resolveEnvironment } from '../environment';
import type { ChatError } from '../errors';
import { resumeUploadParts, uploadParts } from './upload-parts';

/**
 * Resumable uploads against the real server (disk storage): parts sent three at a time, a part
 * whose connection drops tried again alone, and a resume after an abort that sends only the parts
 * the server does not have. The network is the real one; the test's fetch only counts the PUTs
 * of parts and, where a test says, fails one as a dropped connection does.
 */

let h: Awaited<ReturnType<typeof startServer>>;
let alice: Awaited<ReturnType<typeof connectClient>>;

beforeAll(async () => {
  h = await startServer();
  alice = await connectClient(h, 'alice');
}, 60_000);

afterAll(async () => {
  alice?.client.disconnect();
  await h?.server.close();
});

const MiB = 1024 * 1024;
const SIZE = 20 * MiB + 4_321;

function file(): { blob: Blob; hash: string } {
  const bytes = new Uint8Array(SIZE);
  let x = 2463534242;
  for (let i = 0; i < SIZE; i += 4) {
    // xorshift32: cheap, deterministic bytes that no type sniffer takes for anything.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
    bytes[i + 1] = (x >>> 8) & 0xff;
    bytes[i + 2] = (x >>> 16) & 0xff;
    bytes[i + 3] = (x >>> 24) & 0xff;
  }
  return { blob: new Blob([bytes]), hash: createHash('sha256').update(bytes).digest('hex') };
}

/** A fetch that records the size of every part PUT, and can make one fail as a dropped connection. */
function countingFetch(dropFirstOf?: (size: number, count: number) => boolean) {
  const puts: number[] = [];
  const fetchLike = async (input: string, init?: RequestInit) => {
    if (init?.method === 'PUT' && new URL(input).pathname === '/v1/storage/part') {
      const size = (init.body as Blob).size;
      puts.push(size);
      if (dropFirstOf?.(size, puts.length)) throw new TypeError('fetch failed: socket hang up');
    }
    return fetch(input, init);
  };
  return { puts, fetch: fetchLike };
}

function depsWith(fetchLike: (input: string, init?: RequestInit) => Promise<Response>) {
  return {
    http: alice.client.http,
    env: resolveEnvironment({ fetch: fetchLike, random: () => 0 }),
    baseUrl: h.server.url,
    useXhr: false,
  };
}

async function begin(name: string) {
  return alice.client.http.request('createResumableUpload', {
    body: { name, type: 'application/octet-stream', size: SIZE },
  });
}

async function completeAndHash(uploadId: string): Promise<string> {
  const { upload } = await alice.client.http.request('completeUpload', { params: { uploadId } });
  expect(upload).toMatchObject({ state: 'ready', size: SIZE });
  const response = await fetch(alice.client.uploads.url(upload.url)!);
  return createHash('sha256')
    .update(new Uint8Array(await response.arrayBuffer()))
    .digest('hex');
}

describe('uploadParts', () => {
  it('sends a 20 MB file in parts, tries a dropped part again alone, and reports progress in bytes', {
    timeout: 60_000,
  }, async () => {
    const { blob, hash } = file();
    const { upload, multipart } = await begin('trip.bin');
    expect(multipart).toMatchObject({ part_size: 8 * MiB, part_count: 3 });
    // The first PUT of the last part (the only one of its size) drops.
    const last = SIZE - 2 * multipart.part_size;
    let dropped = false;
    const net = countingFetch((size) => {
      if (size !== last || dropped) return false;
      dropped = true;
      return true;
    });
    const progress: number[] = [];
    await uploadParts(depsWith(net.fetch), upload.id, multipart, blob, {
      onProgress: (sent, total) => {
        expect(total).toBe(SIZE);
        progress.push(sent);
      },
    });
    expect(dropped).toBe(true);
    expect([...net.puts].sort((a, b) => a - b)).toEqual([last, last, 8 * MiB, 8 * MiB]);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(SIZE);
    expect(await completeAndHash(upload.id)).toBe(hash);
  });

  it('stops on abort, then a resume sends only the parts the server does not have', {
    timeout: 60_000,
  }, async () => {
    const { blob, hash } = file();
    const { upload, multipart } = await begin('train.bin');
    const first = countingFetch();
    const stop = new AbortController();
    const failed = await uploadParts(depsWith(first.fetch), upload.id, multipart, blob, {
      concurrency: 1,
      signal: stop.signal,
      // The connection goes once the first part is stored.
      onProgress: (sent) => {
        if (sent >= multipart.part_size) stop.abort();
      },
    }).then(
      () => null,
      (error: ChatError) => error,
    );
    expect(failed?.code).toBe('aborted');
    expect(first.puts).toEqual([8 * MiB]);

    // A reload: nothing remembered but the upload's id and the file.
    const second = countingFetch();
    const progress: number[] = [];
    await resumeUploadParts(depsWith(second.fetch), upload.id, blob, {
      onProgress: (sent) => progress.push(sent),
    });
    expect([...second.puts].sort((a, b) => a - b)).toEqual([SIZE - 2 * multipart.part_size, 8 * MiB]);
    // The part already there counts from the start.
    expect(progress[0]).toBe(multipart.part_size);
    expect(progress.at(-1)).toBe(SIZE);
    expect(await completeAndHash(upload.id)).toBe(hash);
  });

  it('refuses a different file than the upload was started for, and gives up on a refusal without retrying', {
    timeout: 60_000,
  }, async () => {
    const { upload, multipart } = await begin('other.bin');
    const net = countingFetch();
    const wrong = await uploadParts(
      depsWith(net.fetch),
      upload.id,
      multipart,
      new Blob([new Uint8Array(10)]),
    ).catch((error: ChatError) => error);
    expect(wrong).toMatchObject({ code: 'validation_failed' });
    expect(net.puts).toEqual([]);

    // Deleted meanwhile: the server refuses its part URLs (404), and the client does not insist.
    await alice.client.uploads.delete(upload.id);
    const gone = await uploadParts(depsWith(net.fetch), upload.id, multipart, file().blob).catch(
      (error: ChatError) => error,
    );
    expect(gone).toMatchObject({ code: 'not_found' });
    expect(net.puts).toEqual([]);
  });
});
