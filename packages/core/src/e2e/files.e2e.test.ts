import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, startServer, until } from '../../test/e2e-harness';
import type { Channel } from '../channel';
import { ChatClient } from '../client';
import { ValidationError } from '../errors';
import type { LocalFile } from '../state/types';

/**
 * Files through the real server (disk storage): `client.uploads` and `sendMessage({ files })`,
 * with progress, refusals, a retry that uploads only what failed, and a discard that cancels.
 */

let h: Awaited<ReturnType<typeof startServer>>;
let alice: Awaited<ReturnType<typeof connectClient>>;
let bob: Awaited<ReturnType<typeof connectClient>>;
let aliceChannel: Channel;
let bobChannel: Channel;

/** A real 2×1 PNG (red, blue), made by hand: no image library in the SDK's tests. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAADUlEQVR4nGP4zwAE/wEHAAH/4iOeWQAAAABJRU5ErkJggg==',
  'base64',
);

beforeAll(async () => {
  h = await startServer();
  alice = await connectClient(h, 'alice');
  bob = await connectClient(h, 'bob');
  aliceChannel = await alice.client.channels.create({ type: 'messaging', members: ['alice', 'bob'] });
  await aliceChannel.watch();
  bobChannel = bob.client.channel(aliceChannel.type, aliceChannel.id);
  await bobChannel.watch();
}, 60_000);

afterAll(async () => {
  alice?.client.disconnect();
  bob?.client.disconnect();
  await h?.server.close();
});

describe('files', () => {
  it('uploads a file with progress, and resolves stored files’ URLs', async () => {
    const progress: number[] = [];
    const upload = await alice.client.uploads.upload(
      { data: new TextEncoder().encode('meeting notes\n'), name: 'notes.txt', type: 'text/plain' },
      { onProgress: (sent, total) => progress.push(sent / total) },
    );
    expect(upload).toMatchObject({ state: 'ready', name: 'notes.txt', kind: 'file', size: 14 });
    expect(progress.at(0)).toBe(0);
    expect(progress.at(-1)).toBe(1);
    const url = alice.client.uploads.url(upload.url);
    expect(new URL(url!).pathname).toBe('/v1/storage/file');
    expect(await (await fetch(url!)).text()).toBe('meeting notes\n');
    expect(alice.client.uploads.url('javascript:alert(1)')).toBeNull();
  });

  it('sends a message with files: shown at once with their progress, then with the attachments, once at the other end', async () => {
    const seen: (readonly LocalFile[] | undefined)[] = [];
    const stop = aliceChannel.state.subscribe(() => {
      const mine = aliceChannel.state.getSnapshot().messages.at(-1);
      if (mine?.status === 'sending') seen.push(mine.files);
    });
    const sending = aliceChannel.sendMessage({
      text: 'the photo and the notes',
      files: [
        { data: PNG, name: 'dot.png', type: 'image/png' },
        { data: new TextEncoder().encode('hello'), name: 'hello.txt', type: 'text/plain' },
      ],
    });
    const optimistic = aliceChannel.state.getSnapshot().messages.at(-1)!;
    expect(optimistic.status).toBe('sending');
    expect(optimistic.files?.map((f) => [f.name, f.state, f.size])).toEqual([
      ['dot.png', 'uploading', PNG.length],
      ['hello.txt', 'uploading', 5],
    ]);
    const sent = await sending;
    stop();
    expect(seen.some((files) => files?.some((f) => f.state === 'uploaded'))).toBe(true);
    expect(sent.attachments.map((a) => [a.type, a.name])).toEqual([
      ['image', 'dot.png'],
      ['file', 'hello.txt'],
    ]);
    expect(sent.attachments[0]).toMatchObject({ width: 2, height: 1, placeholder: expect.any(String) });
    const mine = aliceChannel.state.getSnapshot().messages.find((m) => m.id === sent.id)!;
    expect(mine.files).toBeUndefined();

    const theirs = await until(bobChannel.state, (s) => s.messages.some((m) => m.id === sent.id));
    const received = theirs.messages.filter((m) => m.id === sent.id);
    expect(received).toHaveLength(1);
    const image = received[0]!.attachments[0]!;
    const fetched = await fetch(bob.client.uploads.url(image.url)!);
    expect(fetched.headers.get('content-type')).toBe('image/png');
  });

  it('fails a message whose file is refused, with the reason; retry uploads only the failed file; discard cancels', async () => {
    const fake = {
      data: new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'),
      name: 'cat.svg',
    };
    const failing = aliceChannel.sendMessage({
      text: 'refused',
      files: [
        { data: PNG, name: 'ok.png', type: 'image/png' },
        { ...fake, type: 'image/svg+xml' },
      ],
    });
    const error = await failing.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'upload_refused', details: { reason: 'blocked_type' } });
    const failed = aliceChannel.state.getSnapshot().messages.find((m) => m.text === 'refused')!;
    expect(failed.status).toBe('failed');
    expect(failed.files?.map((f) => f.state)).toEqual(['uploaded', 'failed']);
    expect(failed.files?.[1]?.error?.code).toBe('upload_refused');

    // A retry tries the refused file alone again (refused again); the uploaded one is kept.
    await expect(aliceChannel.retryMessage(failed.id)).rejects.toMatchObject({ code: 'upload_refused' });
    const again = aliceChannel.state.getSnapshot().messages.find((m) => m.text === 'refused')!;
    expect(again.files?.map((f) => f.state)).toEqual(['uploaded', 'failed']);

    aliceChannel.discardMessage(failed.id);
    expect(aliceChannel.state.getSnapshot().messages.some((m) => m.text === 'refused')).toBe(false);
    const { messages } = await alice.client.http.request('listMessages', {
      params: { type: aliceChannel.type, id: aliceChannel.id },
      query: { limit: 100 },
    });
    expect(messages.some((m) => m.text === 'refused')).toBe(false);
  });

  it('a file lost to the network is uploaded again alone, and the message is stored once', async () => {
    // Alice on a second device whose network drops the second file's bytes once.
    const sent: string[] = [];
    let dropped = false;
    const flaky: typeof fetch = async (input, init) => {
      if (init?.method === 'PUT' && init.body instanceof Blob) {
        const text = await init.body.text();
        sent.push(text);
        if (text === 'two' && !dropped) {
          dropped = true;
          throw new TypeError('Failed to fetch');
        }
      }
      return fetch(input, init);
    };
    const phone = new ChatClient({
      apiKey: h.apiKey,
      baseUrl: h.server.url,
      env: { fetch: flaky, random: () => 0.99 },
    });
    await phone.connect({ id: 'alice' }, () => h.token('alice'));
    const channel = phone.channel(aliceChannel.type, aliceChannel.id);
    await channel.watch();
    try {
      // The send waits in the queue (a network error is not a failure): the lost file goes
      // again by itself, at the queue's next try.
      const seen: string[][] = [];
      const stop = channel.state.subscribe(() => {
        const files = channel.state.getSnapshot().messages.find((m) => m.text === 'two notes')?.files;
        if (files) seen.push(files.map((f) => f.state));
      });
      const stored = await channel.sendMessage({
        text: 'two notes',
        files: [
          { data: new TextEncoder().encode('one'), name: 'one.txt', type: 'text/plain' },
          { data: new TextEncoder().encode('two'), name: 'two.txt', type: 'text/plain' },
        ],
      });
      stop();
      expect(seen).toContainEqual(['uploaded', 'failed']);
      expect(sent.sort()).toEqual(['one', 'two', 'two']); // two dropped once; one not sent twice
      expect(stored.attachments.map((a) => a.name)).toEqual(['one.txt', 'two.txt']);
      const theirs = await until(bobChannel.state, (s) => s.messages.some((m) => m.id === stored.id));
      expect(theirs.messages.filter((m) => m.text === 'two notes')).toHaveLength(1);
    } finally {
      phone.disconnect();
    }
  });
});
