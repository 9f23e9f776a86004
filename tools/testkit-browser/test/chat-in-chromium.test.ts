import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, browserAvailable, launchChromium, type Page } from '@chat/browser-e2e';
import type { Message } from '@chat/protocol';
import type { ChatTestkit } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPage } from './build-page';
import { serveStatic } from './static-server';

/**
 * The kit in Chromium: a page renders the UI kit's `<Chat>` against `@chat/testkit` with msw's
 * `setupWorker`. REST goes through msw's service worker (checked on the responses), the socket
 * through msw's patched `WebSocket`. Bob is scripted through `window.kit`; alice is the person
 * at the page.
 */
const WAIT = { timeout: 15_000 };

describe.skipIf(!browserAvailable())(
  '<Chat> on the test kit in Chromium, through msw’s service worker',
  () => {
    let dir: string;
    let site: Awaited<ReturnType<typeof serveStatic>>;
    let browser: Browser;
    let page: Page;
    const fromWorker: string[] = [];
    const pageErrors: string[] = [];

    /** A text in the message list (the channel list previews the last message too). */
    const inMessages = (text: string) =>
      page.getByTestId('chat-message-list').getByText(text, { exact: true });

    /** Runs `script` with the page's kit (bob's side of the conversation). */
    const kit = <T>(script: (kit: ChatTestkit) => T) =>
      page.evaluate(`(${script.toString()})(window.kit)`) as Promise<Awaited<T>>;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'testkit-browser-'));
      await buildPage(dir);
      [site, browser] = await Promise.all([serveStatic(dir), launchChromium()]);
      page = await browser.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('response', (response) => {
        if (response.url().includes('/v1/') && response.fromServiceWorker()) fromWorker.push(response.url());
      });
      await page.goto(site.url);
      await page.locator('body[data-ready="true"]').waitFor(WAIT);
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await site?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('shows the seeded channel and its message, the REST calls answered by the service worker', async () => {
      await inMessages('Welcome to the test kit, Alice').waitFor(WAIT);
      await expect(page.getByRole('option', { name: /General/ }).count()).resolves.toBe(1);
      expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toMatch(
        /mockServiceWorker\.js$/,
      );
      expect(fromWorker.some((url) => url.endsWith('/v1/channels/query'))).toBe(true);
    });

    it('bob types, then his message arrives over the mocked socket', async () => {
      await kit((k) => k.as('bob').startTyping('messaging:general'));
      await page.getByText('Bob is typing').waitFor(WAIT);
      await kit((k) => {
        k.as('bob').stopTyping('messaging:general');
        k.as('bob').send('messaging:general', 'Are you there?');
      });
      await inMessages('Are you there?').waitFor(WAIT);
      await page.getByText('Bob is typing').waitFor({ ...WAIT, state: 'detached' });
    });

    it('alice sends from the input; the kit stores the message', async () => {
      const input = page.getByRole('textbox', { name: /message/i });
      await input.fill('Hello from Chromium');
      await input.press('Enter');
      await inMessages('Hello from Chromium').waitFor(WAIT);
      const texts = await kit((k) => k.messages('messaging:general').map((m) => m.text));
      expect(texts).toContain('Hello from Chromium');
    });

    it('the connection drops; a message sent meanwhile shows after the SDK resumes', async () => {
      expect(await kit((k) => k.dropConnections('alice'))).toBe(1);
      await kit((k) => k.as('bob').send('messaging:general', 'Sent while you were away'));
      await inMessages('Sent while you were away').waitFor(WAIT);
      const stored: Message[] = await kit((k) => k.messages('messaging:general'));
      expect(stored.map((m) => m.text)).toEqual([
        'Welcome to the test kit, Alice',
        'Are you there?',
        'Hello from Chromium',
        'Sent while you were away',
      ]);
      await page.screenshot({ path: join(tmpdir(), 'testkit-chromium.png') });
      expect(pageErrors).toEqual([]);
      expect(await kit((k) => k.protocolErrors.length)).toBe(0);
    });
  },
);
