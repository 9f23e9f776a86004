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
 * The smoke test the Vue and Angular examples share (same screens, same labels): alice and bob
 * in two browser contexts; bob sees alice's message counted unread, opens the channel (which
 * reads it), sees her typing, and her next message.
 *
 * @example
 * // examples/vue-chat/e2e/chat.e2e.test.ts
 * exampleSmokeTest('the Vue chat app in Chromium', resolve(import.meta.dirname, '../dist'));
 */
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

    it('alice and bob open team:general; bob sees the unread count, alice typing, and her message', async () => {
      const alice = await openPage(browser, chat.url);
      const bob = await openPage(browser, chat.url);
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
      await input.fill('are you there?');
      await input.press('Enter');
      const unread = bob.page.getByRole('navigation', { name: 'Channels' }).getByLabel('1 unread');
      await unread.waitFor(WAIT);
      await openGeneral(bob.page);
      const messages = bob.page.getByRole('list', { name: 'Messages' });
      await messages.getByText('are you there?').waitFor(WAIT);
      await unread.waitFor({ state: 'detached', ...WAIT }); // open means read

      await input.pressSequentially('hello bob');
      await bob.page.getByText('Alice is typing…').waitFor(WAIT);
      await input.press('Enter');
      await messages.getByText('hello bob').waitFor(WAIT);
      expect(await messages.getByRole('listitem').last().textContent()).toContain('Alice');
      // Sending stops alice's typing.
      await bob.page.getByText('Alice is typing…').waitFor({ state: 'detached', ...WAIT });
      await alice.context.close();
      await bob.context.close();
    });
  });
}
