import {
  assertBuilt,
  type Browser,
  browserAvailable,
  type ChatServer,
  launchChromium,
  type Page,
} from '@chat/browser-e2e';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICES, DIST, logIn, messageRow, messageTexts, openChannel, send, WAIT } from './harness';

/**
 * The session and the app shell outlive a reload: the refresh token sits in an httpOnly cookie
 * (no page script reads it), the service worker serves the app offline, and IndexedDB the
 * conversations and the messages still queued.
 */

let chat: ChatServer;
let browser: Browser;

/** Waits until the service worker controls the page (precache done), so a reload can go offline. */
const serviceWorkerInControl = (page: Page) =>
  page.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, WAIT);

describe.skipIf(!browserAvailable())('the React app across reloads', () => {
  beforeAll(async () => {
    assertBuilt(DIST);
    [chat, browser] = await Promise.all([
      import('@chat/browser-e2e').then(({ startChat }) => startChat({ webRoot: DIST })),
      launchChromium(),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await chat?.close();
  });

  for (const [device, options] of DEVICES) {
    it(`${device}: a reload keeps the session, and nothing page-readable holds its secret`, async () => {
      const { context, page } = await logIn(browser, chat, 'dave', options);
      const cookies = await context.cookies();
      expect(cookies).toHaveLength(1);
      expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/v1/auth' });
      const secret = cookies[0]!.value;
      const readable = await page.evaluate(() => ({
        cookie: document.cookie,
        local: JSON.stringify({ ...localStorage }),
        session: JSON.stringify({ ...sessionStorage }),
      }));
      expect(readable.cookie).toBe('');
      expect(readable.local).not.toContain(secret);
      expect(readable.session).not.toContain(secret);

      await page.reload();
      await page.getByTestId('chat-channel-list').waitFor(WAIT);
      expect(await page.getByLabel('Password').count()).toBe(0);
      await openChannel(page, 'General');

      // Logging out ends it: a reload shows the login again.
      if (device === 'phone') await page.getByTestId('chat-channel-header-back').tap(WAIT);
      await page.getByRole('button', { name: 'Log out' }).click(WAIT);
      await page.getByLabel('Password').waitFor(WAIT);
      await page.reload();
      await page.getByLabel('Password').waitFor(WAIT);
      expect(await context.cookies()).toEqual([]);
      await context.close();
    });

    it(`${device}: a reload while offline shows the cached conversation and the queued message, sent once back`, async () => {
      const { context, page } = await logIn(browser, chat, 'carol', options);
      await serviceWorkerInControl(page);
      await openChannel(page, 'General');
      const before = `before going offline (${device})`;
      await send(page, before);
      await expect.poll(() => messageRow(page, before).getAttribute('data-status'), WAIT).toBe('sent');
      // The cache writes changes in batches (300 ms), and a write started by the unload itself
      // does not survive it: a person does not reload that fast, the test must not either.
      await page.waitForTimeout(1_000);

      await context.setOffline(true);
      const queued = `written offline (${device})`;
      await send(page, queued);
      await messageRow(page, queued).waitFor(WAIT);
      expect(await messageRow(page, queued).getAttribute('data-status')).toBe('sending');
      await page.reload();
      // The app shell came from the service worker; the list and the messages from IndexedDB.
      await page.getByTestId('chat-channel-list').waitFor(WAIT);
      await openChannel(page, 'General');
      await messageRow(page, before).waitFor(WAIT);
      await messageRow(page, queued).waitFor(WAIT);
      expect(await messageRow(page, queued).getAttribute('data-status')).toBe('sending');
      expect(await page.getByLabel('Password').count()).toBe(0);

      await context.setOffline(false);
      await expect.poll(() => messageRow(page, queued).getAttribute('data-status'), WAIT).toBe('sent');
      const texts = await messageTexts(page);
      expect(texts.filter((t) => t === queued)).toHaveLength(1);
      await context.close();
    });
  }
});
