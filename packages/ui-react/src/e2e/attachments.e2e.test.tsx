import { crc32, deflateSync } from 'node:zlib';
import { ChatClient } from '@chat/core';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import axe from 'axe-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectUser, newChannel, postMessage, renderChat, until, userId } from '../../test/harness';
import type { Attachment } from '../core-types';

/**
 * Attachments as a user sees them, from files the real server stored and processed: the image
 * grid with thumbnails and placeholders, the viewer and its keyboard, players and file cards.
 */

let alice: ChatClient;
let bob: ChatClient;
/**
 * Alice's uploads go through Node's fetch (jsdom's XMLHttpRequest would be a cross-origin
 * request), with jsdom's Blobs read into bytes Node's fetch can send.
 */
let uploader: ChatClient;

beforeAll(async () => {
  [alice, bob] = await Promise.all([connectUser('alice'), connectUser('bob')]);
  const { url, apiKey } = inject('chatServer');
  const nodeFetch: typeof fetch = async (input, init) =>
    fetch(input, init?.body instanceof Blob ? { ...init, body: await init.body.arrayBuffer() } : init);
  uploader = new ChatClient({ apiKey, baseUrl: url, env: { fetch: nodeFetch } });
  await uploader.auth.login({ username: userId('alice'), password: 'correct horse battery' });
});

afterAll(async () => {
  await Promise.all([alice.disconnect(), bob.disconnect(), uploader.disconnect()]);
});

/** A solid PNG of `width` × `height`, written by hand (no image library in the kit's tests). */
function png(width: number, height: number, rgb: [number, number, number]): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([
    signature,
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function uploadImage(name: string, width: number, height: number) {
  return uploader.uploads.upload({ data: png(width, height, [200, 40, 40]), name, type: 'image/png' });
}

/**
 * An event made by jsdom's document (an image's load or error: jsdom loads no pictures; a change,
 * drag, drop or paste: jsdom has no DragEvent or ClipboardEvent), bubbling, with `properties`:
 * the global `Event` is Node's here (see the jsdom environment), which jsdom's elements refuse.
 */
function fire(target: Element, type: string, properties: Record<string, unknown> = {}) {
  const event = target.ownerDocument.createEvent('Event');
  event.initEvent(type, true, true);
  for (const [name, value] of Object.entries(properties)) Object.defineProperty(event, name, { value });
  act(() => {
    target.dispatchEvent(event);
  });
}

/** axe's serious and critical violations in `root` (contrast: jsdom draws nothing). */
async function seriousViolations(root: Element) {
  const results = await axe.run(root, { rules: { 'color-contrast': { enabled: false } } });
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.html.slice(0, 120)).join(' | ')}`);
}

const rowOf = (id: string) =>
  waitFor(() => {
    const row = document.querySelector<HTMLElement>(`.chat-message-list [data-message-id="${id}"]`);
    expect(row).not.toBeNull();
    return row!;
  });

async function openChannel(name: string) {
  const channel = await newChannel(alice, name, ['alice', 'bob']);
  return channel;
}

describe('attachments', () => {
  it('shows uploaded images as a grid with thumbnails, "+1", placeholders, and a viewer driven by the keyboard', async () => {
    const uploads = await Promise.all(
      ['one', 'two', 'three', 'four', 'five'].map((n) => uploadImage(`${n}.png`, 800, 400)),
    );
    expect(uploads[0]).toMatchObject({ state: 'ready', width: 800, height: 400 });
    const channel = await openChannel('Photos');
    const message = await postMessage(alice, channel, {
      text: 'the trip',
      attachments: uploads.map((u) => ({ upload_id: u.id })) as unknown as Attachment[],
    });
    const { container } = renderChat(bob, { cid: channel.cid });
    const row = await rowOf(message.id);
    expect(await seriousViolations(container)).toEqual([]);

    const grid = within(row).getByRole('list');
    expect(grid.getAttribute('data-count')).toBe('5');
    const tiles = within(grid).getAllByTestId('chat-attachment-image');
    expect(tiles).toHaveLength(4);
    const first = within(tiles[0]!).getByRole<HTMLImageElement>('img', { name: 'one.png' });
    // Thumbnails by width (360, 720) and the file itself (800 wide): the browser picks.
    expect(first.getAttribute('srcset')).toMatch(/ 360w, .* 720w, .* 800w$/);
    expect(first.getAttribute('loading')).toBe('lazy');
    expect(new URL(first.src).origin).toBe(inject('chatServer').url);
    // The last tile says how many more there are, to eyes and to screen readers.
    expect(tiles[3]!.textContent).toContain('+1');
    expect(within(tiles[3]!).getByText('1 more image')).toBeTruthy();
    // While it loads, the tile is painted with the image's ThumbHash.
    await waitFor(() => expect(tiles[0]!.style.backgroundImage).toMatch(/^url\("data:image\/png;base64,/));
    fire(first, 'load');
    await waitFor(() => expect(tiles[0]!.style.backgroundImage).toBe(''));

    // The viewer: named by the image, "1 of 5", arrows move (wrapping), Escape closes.
    tiles[0]!.focus();
    fireEvent.click(tiles[0]!);
    const viewer = await screen.findByRole('dialog', { name: 'one.png' }, { timeout: 5_000 });
    expect(within(viewer).getByTestId('chat-lightbox-counter').textContent).toBe('1 of 5');
    expect(await seriousViolations(document.body)).toEqual([]);
    // The full picture: the file itself, the last of the tile's sources.
    const full = first.getAttribute('srcset')!.split(', ').at(-1)!.split(' ')[0];
    expect(within(viewer).getByRole<HTMLImageElement>('img', { name: 'one.png' }).src).toBe(full);
    fireEvent.keyDown(viewer, { key: 'ArrowLeft' });
    expect(within(viewer).getByTestId('chat-lightbox-counter').textContent).toBe('5 of 5');
    expect(screen.getByRole('dialog', { name: 'five.png' })).toBe(viewer);
    fireEvent.keyDown(viewer, { key: 'ArrowRight' });
    fireEvent.keyDown(viewer, { key: 'ArrowRight' });
    expect(within(viewer).getByTestId('chat-lightbox-counter').textContent).toBe('2 of 5');
    fireEvent.click(within(viewer).getByRole('button', { name: 'Next image' }));
    expect(within(viewer).getByTestId('chat-lightbox-counter').textContent).toBe('3 of 5');
    // Tab stays inside the dialog.
    const controls = within(viewer).getAllByRole('button');
    controls.at(-1)!.focus();
    fireEvent.keyDown(viewer, { key: 'Tab' });
    expect(document.activeElement).toBe(within(viewer).getByRole('link', { name: 'Download' }));
    fireEvent.keyDown(viewer, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(tiles[0]);
  });

  it('shows a lone image at its own shape, and a picture that fails as its name with a link', async () => {
    const [tall] = await Promise.all([uploadImage('tall.png', 300, 600)]);
    const channel = await openChannel('Tall');
    const message = await postMessage(alice, channel, {
      attachments: [{ upload_id: tall!.id }] as unknown as Attachment[],
    });
    renderChat(bob, { cid: channel.cid });
    const row = await rowOf(message.id);
    const image = within(row).getByRole<HTMLImageElement>('img', { name: 'tall.png' });
    expect([image.getAttribute('width'), image.getAttribute('height')]).toEqual(['160', '320']);
    // Smaller than every thumbnail width: no srcset, the file itself.
    expect(image.getAttribute('srcset')).toBeNull();
    fire(image, 'error');
    const link = await within(row).findByRole('link', { name: 'Open' });
    expect(link.getAttribute('href')).toBe(image.src);
    expect(row.textContent).toContain('tall.png');
  });

  it('plays videos and sounds with the browser, and shows other files as cards with a kind, a name cut in the middle and a size', async () => {
    const channel = await openChannel('Media');
    const message = await postMessage(bob, channel, {
      text: 'media',
      attachments: [
        {
          type: 'video',
          url: 'https://cdn.example.com/clip.mp4',
          name: 'clip.mp4',
          width: 1920,
          height: 1080,
        },
        { type: 'audio', url: 'https://cdn.example.com/voice.ogg', name: 'voice.ogg' },
        {
          type: 'file',
          url: 'https://cdn.example.com/q.xlsx',
          name: 'quarterly-results-final-version-2.xlsx',
          mime_type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          file_size: 52_000,
        },
      ] as Attachment[],
    });
    const { container } = renderChat(alice, { cid: channel.cid });
    const row = await rowOf(message.id);
    expect(await seriousViolations(container)).toEqual([]);
    const video = within(row).getByTestId<HTMLVideoElement>('chat-attachment-video');
    expect(video.getAttribute('aria-label')).toBe('clip.mp4');
    expect(video.getAttribute('preload')).toBe('metadata');
    expect([video.getAttribute('width'), video.getAttribute('height')]).toEqual(['320', '180']);
    const audio = within(row).getByTestId('chat-attachment-audio');
    expect(audio.getAttribute('src')).toBe('https://cdn.example.com/voice.ogg');
    expect(within(row).getByRole('link', { name: 'Download voice.ogg' })).toBeTruthy();
    const card = within(row).getByTestId('chat-attachment-file');
    expect(card.getAttribute('data-kind')).toBe('sheet');
    expect(card.getAttribute('title')).toBe('quarterly-results-final-version-2.xlsx');
    expect(card.querySelector('.chat-file__end')?.textContent).toMatch(/-2\.xlsx$/);
    expect(card.textContent).toContain('51 KB');
  });

  it('updates a message whose image is replaced by nothing when it is deleted', async () => {
    const upload = await uploadImage('gone.png', 400, 400);
    const channel = await openChannel('Deleted');
    const message = await postMessage(alice, channel, {
      text: 'soon gone',
      attachments: [{ upload_id: upload.id }] as unknown as Attachment[],
    });
    renderChat(bob, { cid: channel.cid });
    const row = await rowOf(message.id);
    expect(within(row).getAllByTestId('chat-attachment-image')).toHaveLength(1);
    const handle = alice.channel(channel.type, channel.id);
    await handle.watch();
    await handle.deleteMessage(message.id);
    const bobs = bob.channel(channel.type, channel.id);
    await until(bobs.state, (s) => s.messages.find((m) => m.id === message.id)?.deleted_at != null);
    await waitFor(() => expect(document.querySelector('[data-testid="chat-attachment-image"]')).toBeNull());
  });
});

describe('attaching files in the composer', () => {
  /** Alice's chat rendered with the uploading client, on a new channel with Bob. */
  async function aliceComposes(name: string) {
    const channel = await openChannel(name);
    const { container } = renderChat(uploader, { cid: channel.cid });
    const form = await screen.findByTestId('chat-message-input-form');
    const input = within(form).getByTestId<HTMLInputElement>('chat-file-input');
    const pick = (files: File[]) => {
      Object.defineProperty(input, 'files', { value: files, configurable: true });
      fire(input, 'change');
    };
    return { channel, container, form, pick };
  }
  const photo = (name: string) =>
    new File([png(640, 480, [30, 120, 200]) as BlobPart], name, { type: 'image/png' });
  /** What each item of the composer's tray says. */
  const trayItems = (tray: HTMLElement) =>
    within(tray)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
  /** The files of the message being sent, and its row. */
  const sendingMessage = async () => {
    const files = await screen.findByRole('list', { name: 'Files being sent' }, { timeout: 5_000 });
    return { files, row: files.closest<HTMLElement>('[data-message-id]')! };
  };

  it('picks files with the button, removes one, sends a photo with no text: progress, then the image, once at Bob', async () => {
    const { channel, container, form, pick } = await aliceComposes('Composer');
    const send = within(form).getByTestId<HTMLButtonElement>('chat-send');
    expect(send.disabled).toBe(true);
    pick([photo('beach.png'), new File(['notes'], 'notes.txt', { type: 'text/plain' })]);
    const tray = await within(form).findByRole('list', { name: 'Files to send' }, { timeout: 5_000 });
    expect(trayItems(tray)).toEqual([
      expect.stringContaining('beach.png'),
      expect.stringContaining('notes.txt'),
    ]);
    expect(await seriousViolations(container)).toEqual([]);
    fireEvent.click(within(tray).getByRole('button', { name: 'Remove notes.txt' }));
    expect(within(tray).getAllByRole('listitem')).toHaveLength(1);
    expect(send.disabled).toBe(false);

    fireEvent.click(send);
    expect(within(form).queryByRole('list', { name: 'Files to send' })).toBeNull();
    // The message shows at once with its file and progress, then with the stored image.
    const { files: sending, row } = await sendingMessage();
    expect(sending.textContent).toContain('beach.png');
    await waitFor(() => expect(within(row).getByRole('img', { name: 'beach.png' }).tagName).toBe('IMG'), {
      timeout: 15_000,
    });
    await waitFor(() => expect(screen.queryByRole('list', { name: 'Files being sent' })).toBeNull());
    const bobs = bob.channel(channel.type, channel.id);
    const theirs = await until(
      bobs.state,
      (s) => s.messages.some((m) => m.attachments.length > 0),
      10_000,
    ).catch(async () => {
      await bobs.watch();
      return until(bobs.state, (s) => s.messages.some((m) => m.attachments.length > 0), 10_000);
    });
    const received = theirs.messages.filter((m) => m.attachments.length > 0);
    expect(received).toHaveLength(1);
    expect(received[0]!.attachments[0]).toMatchObject({
      type: 'image',
      name: 'beach.png',
      width: 640,
      height: 480,
    });
  }, 30_000);

  it('takes dropped and pasted files, says how many were left out past ten, and shows a refusal on the message', async () => {
    const { form } = await aliceComposes('Drops');
    const textarea = within(form).getByTestId('chat-message-input');
    const dataTransfer = { types: ['Files'], files: [photo('dropped.png')] };
    fire(form, 'dragover', { dataTransfer });
    expect(form.className).toContain('chat-message-input--dragging');
    expect(form.textContent).toContain('Drop files to attach them');
    fire(form, 'drop', { dataTransfer });
    expect(form.className).not.toContain('dragging');
    // Text being dragged is not a file: the browser handles it.
    fire(form, 'dragover', { dataTransfer: { types: ['text/plain'], files: [] } });
    expect(form.className).not.toContain('dragging');

    fire(textarea, 'paste', { clipboardData: { files: [photo('screenshot.png')], getData: () => '' } });
    const tray = await within(form).findByRole('list', { name: 'Files to send' }, { timeout: 5_000 });
    expect(trayItems(tray)).toEqual([
      expect.stringContaining('dropped.png'),
      expect.stringContaining('screenshot.png'),
    ]);

    fire(textarea, 'paste', {
      clipboardData: { files: Array.from({ length: 10 }, (_, i) => photo(`p${i}.png`)), getData: () => '' },
    });
    expect(within(tray).getAllByRole('listitem')).toHaveLength(10);
    expect(within(form).getByRole('alert').textContent).toBe('A message can carry 10 files: 2 left out.');

    // A refused file: the message fails and says why.
    for (const item of within(tray).getAllByRole('button', { name: /^Remove / })) fireEvent.click(item);
    const svg = new File(['<svg xmlns="http://www.w3.org/2000/svg"/>'], 'logo.svg', {
      type: 'image/svg+xml',
    });
    fire(textarea, 'paste', { clipboardData: { files: [svg], getData: () => '' } });
    await within(form).findByText('logo.svg');
    fireEvent.click(within(form).getByTestId('chat-send'));
    const { files: sending, row } = await sendingMessage();
    await waitFor(
      () => expect(row.querySelector('[data-status]')?.getAttribute('data-status')).toBe('failed'),
      {
        timeout: 10_000,
      },
    );
    expect(within(sending).getByText('Files of type image/svg+xml are not accepted')).toBeTruthy();
  }, 30_000);
});
