import { tmpdir } from 'node:os';
import {
  assertBuilt,
  type Browser,
  type BrowserContext,
  browserAvailable,
  type ChatServer,
  launchChromium,
  type Page,
  startChat,
} from '@chat/browser-e2e';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIST, logIn, messageRow, openChannel, send, WAIT } from './harness';

/**
 * Photos and files between two browsers, as `npm start` runs the app (disk storage, the image
 * job): a dropped photo reaches the other with its placeholder, then its thumbnail, and opens in
 * the viewer; a file picked offline goes once the connection returns; a refused type says why.
 */

let chat: ChatServer;
let browser: Browser;
let alice: { context: BrowserContext; page: Page };
let bob: { context: BrowserContext; page: Page };

/**
 * Drops a real JPEG photo (drawn on a canvas in the page, 1200×900) on the composer, as a drag
 * from the desktop does: a `drop` event whose DataTransfer holds the file.
 */
async function dropPhoto(page: Page, name: string) {
  const transfer = await page.evaluateHandle(async (fileName) => {
    const canvas = document.createElement('canvas');
    canvas.width = 1200;
    canvas.height = 900;
    const g = canvas.getContext('2d')!;
    const gradient = g.createLinearGradient(0, 0, 1200, 900);
    gradient.addColorStop(0, '#1d4ed8');
    gradient.addColorStop(1, '#f59e0b');
    g.fillStyle = gradient;
    g.fillRect(0, 0, 1200, 900);
    g.fillStyle = '#ffffff';
    g.fillRect(500, 350, 200, 200);
    const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/jpeg', 0.9));
    const data = new DataTransfer();
    data.items.add(new File([blob], fileName, { type: 'image/jpeg' }));
    return data;
  }, name);
  const form = page.getByTestId('chat-message-input-form');
  await form.dispatchEvent('dragover', { dataTransfer: transfer });
  await form.dispatchEvent('drop', { dataTransfer: transfer });
}

/** Holds the page's file downloads (images) until `release`: the placeholder shows meanwhile. */
async function holdDownloads(page: Page) {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/v1/storage/file**', async (route) => {
    await held;
    await route.continue();
  });
  return release;
}

describe.skipIf(!browserAvailable())(
  'photos and files in the React chat app, alice and bob in Chromium',
  () => {
    beforeAll(async () => {
      assertBuilt(DIST);
      [chat, browser] = await Promise.all([startChat({ webRoot: DIST }), launchChromium()]);
      alice = await logIn(browser, chat, 'alice');
      bob = await logIn(browser, chat, 'bob');
      await openChannel(alice.page, 'General');
      await openChannel(bob.page, 'General');
    });

    beforeEach(({ task, onTestFailed }) => {
      onTestFailed(async () => {
        const name = task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
        for (const [who, session] of [
          ['alice', alice],
          ['bob', bob],
        ] as const) {
          const path = `${tmpdir()}/react-chat-media-${name}-${who}.png`;
          await session?.page.screenshot({ path }).catch(() => {});
          console.error(`screenshot: ${path}`);
        }
      });
    });

    afterAll(async () => {
      await browser?.close();
      await chat?.close();
    });

    it('alice drops a photo; bob sees its placeholder, then the thumbnail, and opens it in the viewer', async () => {
      const release = await holdDownloads(bob.page);
      await dropPhoto(alice.page, 'harbour.jpg');
      const picked = alice.page.getByRole('list', { name: 'Files to send' });
      await picked.getByText('harbour.jpg').waitFor(WAIT);
      await send(alice.page, 'the harbour this morning');
      await expect
        .poll(() => messageRow(alice.page, 'the harbour this morning').getAttribute('data-status'), WAIT)
        .toBe('sent');

      const tile = messageRow(bob.page, 'the harbour this morning').getByTestId('chat-attachment-image');
      await tile.waitFor(WAIT);
      const image = tile.locator('img');
      // The bytes are held back: the tile paints the photo's ThumbHash, the picture is not there yet.
      await expect
        .poll(() => tile.evaluate((el) => el.style.backgroundImage), WAIT)
        .toMatch(/^url\("data:image\//);
      expect(await image.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0)).toBe(false);
      expect(await image.getAttribute('alt')).toBe('harbour.jpg');
      // The server made smaller copies: the browser picks one of them for the tile.
      const srcset = (await image.getAttribute('srcset')) ?? '';
      expect(srcset.split(',').length).toBeGreaterThanOrEqual(2);

      release();
      await expect
        .poll(() => image.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0), WAIT)
        .toBe(true);
      await expect.poll(() => tile.evaluate((el) => el.style.backgroundImage), WAIT).toBe('');
      const shown = await image.evaluate((el: HTMLImageElement) => el.currentSrc);
      const candidates = srcset
        .split(',')
        .map((c) => new URL(c.trim().split(/\s+/)[0]!, bob.page.url()).href);
      expect(candidates).toContain(shown);

      // The viewer: opened from the tile, the full photo, Escape closes it and focus goes back.
      await tile.click();
      const viewer = bob.page.getByTestId('chat-lightbox');
      await viewer.waitFor(WAIT);
      const full = viewer.locator('img');
      await expect
        .poll(() => full.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth), WAIT)
        .toBe(1200);
      await bob.page.keyboard.press('Escape');
      await viewer.waitFor({ state: 'detached', ...WAIT });
      expect(await tile.evaluate((el) => el === document.activeElement)).toBe(true);
    });

    it('a file picked offline waits with its message, uploads once the connection returns, and bob gets it once', async () => {
      await alice.context.setOffline(true);
      await expect
        .poll(() => alice.page.getByTestId('app-connection-banner').getAttribute('data-status'), WAIT)
        .toMatch(/offline|reconnecting/);
      await alice.page.getByTestId('chat-file-input').setInputFiles({
        name: 'minutes.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('minutes of the offline meeting\n'),
      });
      await alice.page.getByRole('list', { name: 'Files to send' }).getByText('minutes.txt').waitFor(WAIT);
      await send(alice.page, 'minutes written on the train');
      const row = messageRow(alice.page, 'minutes written on the train');
      await row.waitFor(WAIT);
      expect(await row.getAttribute('data-status')).toBe('sending');
      await row.getByTestId('chat-sending-files').getByText('minutes.txt').waitFor(WAIT);

      await alice.context.setOffline(false);
      await expect.poll(() => row.getAttribute('data-status'), WAIT).toBe('sent');
      const theirs = messageRow(bob.page, 'minutes written on the train');
      await theirs.getByTestId('chat-attachment-file').getByText('minutes.txt').waitFor(WAIT);
      // Once: no second copy after the reconnect's catch-up.
      await bob.page.waitForTimeout(500);
      expect(await theirs.count()).toBe(1);
      expect(await messageRow(alice.page, 'minutes written on the train').count()).toBe(1);
    });

    it('a refused type shows the reason on the message, and bob never sees it', async () => {
      await alice.page.getByTestId('chat-file-input').setInputFiles({
        name: 'logo.svg',
        mimeType: 'image/svg+xml',
        buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
      });
      await send(alice.page, 'our new logo');
      const row = messageRow(alice.page, 'our new logo');
      await expect.poll(() => row.getAttribute('data-status'), WAIT).toBe('failed');
      await row.getByText('Files of type image/svg+xml are not accepted').waitFor(WAIT);
      expect(await messageRow(bob.page, 'our new logo').count()).toBe(0);
    });
  },
);
