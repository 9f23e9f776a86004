import { IDBFactory } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientMaker, connectClient, startServer, storedMessages, until } from '../../test/e2e-harness';
import { manualSignal } from '../../test/signals';
import type { Channel } from '../channel';
import type { ChatClient, ChatClientOptions } from '../client';
import { createIndexedDbStorage } from '../offline/indexeddb-storage';
import type { StorageAdapter } from '../offline/storage-adapter';

/**
 * Files picked offline, against the real server: they wait in the durable queue with their
 * message (bytes in IndexedDB), and upload when the connection returns, also after a reload; the
 * message reaches the others once, in its place among the channel's writes.
 */

let h: Awaited<ReturnType<typeof startServer>>;
let bob: Awaited<ReturnType<typeof connectClient>>;
const clients: ChatClient[] = [];

/** A real 2×1 PNG (red, blue). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAADUlEQVR4nGP4zwAE/wEHAAH/4iOeWQAAAABJRU5ErkJggg==',
  'base64',
);

beforeAll(async () => {
  h = await startServer();
  bob = await connectClient(h, 'bob');
}, 60_000);

afterAll(async () => {
  for (const client of clients) await client.disconnect();
  await bob?.client.disconnect();
  await h?.server.close();
});

const newClient = (options: Partial<ChatClientOptions> = {}) => clientMaker(h, clients)(options);

/** What the server stored, as Bob reads it over REST, oldest first. */
const onServer = (channel: Channel) => storedMessages(bob.client, channel);

const files = () => [
  { data: PNG, name: 'dot.png', type: 'image/png' },
  { data: new TextEncoder().encode('offline notes'), name: 'notes.txt', type: 'text/plain' },
];

/** Dave, with a channel with Bob, gone offline; `storage` is his IndexedDB. */
async function daveOffline(storage: ChatClientOptions['storage'], id: string) {
  const online = manualSignal(true);
  const dave = newClient({ storage, env: { online } });
  await dave.connect({ id: 'dave' }, () => h.token('dave'));
  const channel = await dave.channels.create({ type: 'messaging', id, members: ['dave', 'bob'] });
  await channel.watch();
  online.set(false);
  await until(dave.connection, (c) => c.status === 'offline');
  return { dave, channel, online };
}

describe('files picked offline', () => {
  it('wait with their message, upload when the connection returns, and the message is stored once, before the text written after it', async () => {
    const indexedDB = new IDBFactory();
    let adapter: StorageAdapter | undefined;
    const storage: ChatClientOptions['storage'] = (ctx) => {
      adapter = createIndexedDbStorage({ ...ctx, indexedDB });
      return adapter;
    };
    const { channel, online } = await daveOffline(storage, 'files-offline');
    const withFiles = channel.sendMessage({ text: 'photo from the train', files: files() });
    const after = channel.sendMessage({ text: 'written after the photo' });
    const shown = await until(channel.state, (s) => s.messages.length === 2);
    expect(shown.messages.map((m) => [m.text, m.status])).toEqual([
      ['photo from the train', 'sending'],
      ['written after the photo', 'sending'],
    ]);
    expect(shown.messages[0]!.files?.map((f) => [f.name, f.state])).toEqual([
      ['dot.png', 'uploading'],
      ['notes.txt', 'uploading'],
    ]);
    // The bytes are in IndexedDB with the queued send, nothing has reached the server.
    const queued = await until(channel.pendingWrites, (items) => items.length === 2);
    const kept = queued[0]!.op.type === 'message.send' ? queued[0]!.op.files! : [];
    expect(kept.map((f) => [f.name, f.size, f.upload_id])).toEqual([
      ['dot.png', PNG.length, undefined],
      ['notes.txt', 13, undefined],
    ]);
    expect(await (await adapter!.files!.get(kept[1]!.id))?.text()).toBe('offline notes');
    expect(await onServer(channel)).toEqual([]);

    online.set(true);
    const [sent] = await Promise.all([withFiles, after]);
    expect(sent.attachments.map((a) => [a.type, a.name])).toEqual([
      ['image', 'dot.png'],
      ['file', 'notes.txt'],
    ]);
    const stored = await onServer(channel);
    expect(stored.map((m) => [m.text, m.attachments.length])).toEqual([
      ['photo from the train', 2],
      ['written after the photo', 0],
    ]);
    expect(await fetch(bob.client.uploads.url(stored[0]!.attachments[1]!.url)!).then((r) => r.text())).toBe(
      'offline notes',
    );
    expect(channel.state.getSnapshot().messages.map((m) => [m.status, m.files])).toEqual([
      ['sent', undefined],
      ['sent', undefined],
    ]);
    // Sent: the bytes leave IndexedDB, the queue is empty.
    await until(channel.pendingWrites, (items) => items.length === 0);
    expect(await adapter!.files!.get(kept[0]!.id)).toBeUndefined();
  }, 30_000);

  it('survive a reload: the message shows its files again, only what was not uploaded goes up, and it is stored once', async () => {
    const indexedDB = new IDBFactory();
    const storage: ChatClientOptions['storage'] = (ctx) => createIndexedDbStorage({ ...ctx, indexedDB });
    // Dave's network carries the photo's bytes but drops the notes' every time, until the reload.
    const bodies: string[] = [];
    const recording =
      (drop: boolean): typeof fetch =>
      async (input, init) => {
        if (init?.method === 'PUT' && init.body instanceof Blob) {
          const text = await init.body.text();
          bodies.push(text === 'offline notes' ? 'notes' : 'photo');
          if (drop && text === 'offline notes') throw new TypeError('Failed to fetch');
        }
        return fetch(input, init);
      };
    const dave = newClient({ storage, env: { fetch: recording(true) } });
    await dave.connect({ id: 'dave' }, () => h.token('dave'));
    const channel = await dave.channels.create({
      type: 'messaging',
      id: 'files-reload',
      members: ['dave', 'bob'],
    });
    await channel.watch();
    void channel.sendMessage({ text: 'before the reload', files: files() }).catch(() => {});
    // The photo is uploaded and its upload kept with the queued send; the notes wait to retry.
    const [queued] = await until(
      channel.pendingWrites,
      (items) => items[0]?.op.type === 'message.send' && !!items[0].op.files?.[0]?.upload_id,
    );
    const clientMsgId = queued!.op.type === 'message.send' ? queued!.op.message.client_msg_id : '';
    expect(channel.state.getSnapshot().messages[0]!.files?.map((f) => f.state)).toEqual([
      'uploaded',
      'failed',
    ]);
    expect(await onServer(channel)).toEqual([]);
    await dave.disconnect();

    // The page reloads: a new client starts on the same IndexedDB, on a network that works.
    bodies.length = 0;
    const reloaded = newClient({ storage, env: { fetch: recording(false) } });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const connecting = reloaded.connect({ id: 'dave' }, () => gate.then(() => h.token('dave')));
    const restored = reloaded.channel(channel.type, channel.id);
    const before = await until(restored.state, (s) => s.messages.length === 1);
    expect(before.messages[0]).toMatchObject({ text: 'before the reload', status: 'sending' });
    expect(before.messages[0]!.files?.map((f) => [f.name, f.size, f.state])).toEqual([
      ['dot.png', PNG.length, 'uploaded'],
      ['notes.txt', 13, 'uploading'],
    ]);
    release();
    await connecting;
    const sent = await until(restored.state, (s) => s.messages[0]?.status === 'sent');
    expect(bodies).toEqual(['notes']); // the photo was not sent again
    const stored = await onServer(channel);
    expect(stored.map((m) => [m.text, m.client_msg_id, m.attachments.map((a) => a.name)])).toEqual([
      ['before the reload', clientMsgId, ['dot.png', 'notes.txt']],
    ]);
    expect(sent.messages.map((m) => m.id)).toEqual(stored.map((m) => m.id));
  }, 30_000);

  it('a large file cut off by a reload carries on in the next session: only the parts the server lacks are sent', async () => {
    const indexedDB = new IDBFactory();
    const storage: ChatClientOptions['storage'] = (ctx) => createIndexedDbStorage({ ...ctx, indexedDB });
    const MiB = 1024 * 1024;
    const video = new Uint8Array(20 * MiB + 777);
    for (let i = 0; i < video.length; i += 4096) video[i] = (i / 4096) % 251;
    // The first session's network carries one part, then the page goes (the other parts never end).
    let recorded = 0;
    let through = 0;
    const cutOff: typeof fetch = async (input, init) => {
      const path = new URL(String(input)).pathname;
      if (init?.method === 'PUT' && path === '/v1/storage/part') {
        if (through > 0) return new Promise(() => {});
        through = (init.body as Blob).size;
      }
      const response = await fetch(input, init);
      if (init?.method === 'PUT' && /\/v1\/uploads\/[^/]+\/parts\/\d+$/.test(path) && response.ok) recorded++;
      return response;
    };
    const dave = newClient({ storage, env: { fetch: cutOff } });
    await dave.connect({ id: 'dave' }, () => h.token('dave'));
    const channel = await dave.channels.create({
      type: 'messaging',
      id: 'files-resume',
      members: ['dave', 'bob'],
    });
    await channel.watch();
    void channel
      .sendMessage({
        text: 'the whole video',
        files: [{ data: video, name: 'clip.bin', type: 'application/octet-stream' }],
      })
      .catch(() => {});
    // The resumable upload is kept with the queued send as soon as it starts.
    await until(
      channel.pendingWrites,
      (items) => items[0]?.op.type === 'message.send' && !!items[0].op.files?.[0]?.resumable_id,
    );
    await expect.poll(() => recorded, { timeout: 15_000 }).toBe(1);
    await dave.disconnect();

    const parts: number[] = [];
    const counting: typeof fetch = async (input, init) => {
      if (init?.method === 'PUT' && new URL(String(input)).pathname === '/v1/storage/part') {
        parts.push((init.body as Blob).size);
      }
      return fetch(input, init);
    };
    const reloaded = newClient({ storage, env: { fetch: counting } });
    await reloaded.connect({ id: 'dave' }, () => h.token('dave'));
    const restored = reloaded.channel(channel.type, channel.id);
    await until(restored.state, (s) => s.messages[0]?.status === 'sent', 30_000);
    // The two parts the first session did not store (its three went at once; one got through).
    const all = [8 * MiB, 8 * MiB, video.length - 16 * MiB];
    all.splice(all.indexOf(through), 1);
    expect(parts.sort((x, y) => x - y)).toEqual(all.sort((x, y) => x - y));
    const [stored] = await onServer(channel);
    expect(stored!.attachments.map((a) => [a.name, a.file_size])).toEqual([['clip.bin', video.length]]);
    const downloaded = new Uint8Array(
      await (await fetch(bob.client.uploads.url(stored!.attachments[0]!.url)!)).arrayBuffer(),
    );
    expect(Buffer.from(downloaded).equals(Buffer.from(video))).toBe(true);
  }, 60_000);

  it('an image picked offline shows its local preview again after a reload, from the bytes kept in IndexedDB', async () => {
    const indexedDB = new IDBFactory();
    const storage: ChatClientOptions['storage'] = (ctx) => createIndexedDbStorage({ ...ctx, indexedDB });
    const { channel } = await daveOffline(storage, 'files-preview');
    void channel.sendMessage({ files: [files()[0]!] }).catch(() => {});
    await until(channel.pendingWrites, (items) => items.length === 1);
    const reloaded = newClient({ storage });
    void reloaded.connect({ id: 'dave' }, () => new Promise<string>(() => {})).catch(() => {});
    const restored = reloaded.channel(channel.type, channel.id);
    const shown = await until(restored.state, (s) => s.messages.length === 1);
    const preview = shown.messages[0]!.files?.[0]?.previewUrl;
    expect(preview).toMatch(/^blob:/);
    const blob = await fetch(preview!).then((r) => r.arrayBuffer());
    expect(Buffer.from(blob).equals(PNG)).toBe(true);
  }, 30_000);

  it('a refused file fails its message with the reason, and later writes of the channel go on after Discard', async () => {
    const indexedDB = new IDBFactory();
    const storage: ChatClientOptions['storage'] = (ctx) => createIndexedDbStorage({ ...ctx, indexedDB });
    const { channel, online } = await daveOffline(storage, 'files-refused');
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>');
    const refused = channel.sendMessage({ files: [{ data: svg, name: 'logo.svg', type: 'image/svg+xml' }] });
    refused.catch(() => {});
    online.set(true);
    await expect(refused).rejects.toMatchObject({ code: 'upload_refused' });
    const failed = channel.state.getSnapshot().messages[0]!;
    expect(failed.status).toBe('failed');
    expect(failed.error?.message).toMatch(/image\/svg\+xml/);
    channel.discardMessage(failed.id);
    await until(channel.pendingWrites, (items) => items.length === 0);
    await channel.sendMessage({ text: 'without the logo then' });
    expect((await onServer(channel)).map((m) => m.text)).toEqual(['without the logo then']);
  }, 30_000);
});
