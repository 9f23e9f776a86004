import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  type Browser,
  browserAvailable,
  type ChatServer,
  launchChromium,
  openPage,
  startChat,
} from './index';
import { logIn, WAIT } from './pages';

/**
 * The smoke test the Vue and Angular examples share (same screens, same labels), at a desktop
 * size and a phone's: alice and bob in two browser contexts; bob sees alice's message counted
 * unread, opens the channel (which reads it), sees her typing, and her next message; a long word
 * and link wrap with nothing wider than the screen.
 *
 * @example
 * // examples/vue-chat/e2e/chat.e2e.test.ts
 * exampleSmokeTest('the Vue chat app in Chromium', resolve(import.meta.dirname, '../dist'));
 */
/** The sizes the smoke runs at: 1280×800 (the desktop size of the first-impression checks), and a phone (390×844, touch). */
const SIZES = [
  ['at 1280×800', { viewport: { width: 1280, height: 800 } }, 'desktop'],
  [
    'on a phone (390×844)',
    { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
    'phone',
  ],
] as const;

export function exampleSmokeTest(title: string, webRoot: string): void {
  let chat: ChatServer;
  let browser: Browser;

  describe.skipIf(!browserAvailable())(title, () => {
    beforeAll(async () => {
      assertBuilt(webRoot);
      [chat, browser] = await Promise.all([startChat({ webRoot }), launchChromium()]);
    });

    afterAll(async () => {
      await browser?.close();
      await chat?.close();
    });

    for (const [size, device, tag] of SIZES)
      it(`${size}: alice and bob open team:general; bob sees the unread count, alice typing, and her message`, async () => {
        const alice = await openPage(browser, chat.url, device);
        const bob = await openPage(browser, chat.url, device);
        await Promise.all([logIn(alice.page, 'alice'), logIn(bob.page, 'bob')]);
        const openGeneral = async (page: typeof alice.page) => {
          await page
            .getByRole('navigation', { name: 'Channels' })
            .getByRole('button', { name: /General/ })
            .click(WAIT);
          await page.getByRole('heading', { name: 'General' }).waitFor(WAIT);
        };
        await openGeneral(alice.page);
        const input = alice.page.getByRole('textbox', { name: 'Message' });

        // Bob has not opened the channel yet: the list counts it as unread.
        // The runs share the server: each says its own words.
        const first = `are you there? (${tag})`;
        const second = `hello bob (${tag})`;
        await input.fill(first);
        await input.press('Enter');
        const unread = bob.page.getByRole('navigation', { name: 'Channels' }).getByLabel('1 unread');
        await unread.waitFor(WAIT);
        await openGeneral(bob.page);
        const messages = bob.page.getByRole('list', { name: 'Messages' });
        await messages.getByText(first).waitFor(WAIT);
        await unread.waitFor({ state: 'detached', ...WAIT }); // open means read

        await input.pressSequentially(second);
        await bob.page.getByText('Alice is typing…').waitFor(WAIT);
        await input.press('Enter');
        await messages.getByText(second).waitFor(WAIT);
        expect(await messages.getByRole('listitem').last().textContent()).toContain('Alice');
        // Sending stops alice's typing.
        await bob.page.getByText('Alice is typing…').waitFor({ state: 'detached', ...WAIT });
        // A long word and a long link wrap: nothing is wider than the screen.
        const long = `${tag}-${'w'.repeat(150)} https://example.com/${'p'.repeat(90)}`;
        await input.fill(long);
        await input.press('Enter');
        await messages.getByText(long).waitFor(WAIT);
        const sideways = (page: typeof bob.page) =>
          page.evaluate(
            () => document.scrollingElement!.scrollWidth > document.scrollingElement!.clientWidth,
          );
        expect(await sideways(bob.page)).toBe(false);
        expect(await sideways(alice.page)).toBe(false);
        await alice.context.close();
        await bob.context.close();
      });
  });
}
