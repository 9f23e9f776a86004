import { tmpdir } from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, it, onTestFinished } from 'vitest';
import { AXE_SIZES, axeChecks, expectNoAxeViolations } from './axe';
import {
  assertBuilt,
  type Browser,
  type BrowserContext,
  browserAvailable,
  type ChatServer,
  launchChromium,
  openPage,
  type Page,
  startChat,
} from './index';
import { logIn, WAIT } from './pages';

/**
 * axe-core (WCAG 2.0/2.1 A and AA, and best practices) finds nothing on any screen of the Vue and
 * Angular examples (same screens, same labels), at 1280×800 and 390×844: the login page, its
 * error, the channel list, and an open channel with messages from two people (these examples have
 * no replies, reactions or dark theme).
 *
 * @example
 * // examples/vue-chat/e2e/axe.e2e.test.ts
 * exampleAxeTest('axe on every screen of the Vue app', resolve(import.meta.dirname, '../dist'));
 */
export function exampleAxeTest(title: string, webRoot: string): void {
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

    for (const { name: size, device } of AXE_SIZES)
      describe(`at ${size}`, () => {
        let alice: { context: BrowserContext; page: Page };
        let bob: { context: BrowserContext; page: Page };

        beforeAll(async () => {
          [alice, bob] = await Promise.all([
            openPage(browser, chat.url, device),
            openPage(browser, chat.url, device),
          ]);
        });

        afterAll(async () => {
          await alice?.context.close();
          await bob?.context.close();
        });

        beforeEach(({ task, onTestFailed }) => {
          onTestFailed(async () => {
            const name = task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
            const path = `${tmpdir()}/example-axe-${size.replace('×', 'x')}-${name}.png`;
            await alice?.page.screenshot({ path }).catch(() => {});
            console.error(`screenshot: ${path}`);
          });
        });

        it('the login page, and its error', async () => {
          const { page } = alice;
          const axe = axeChecks();
          await page.getByLabel('Username').waitFor(WAIT);
          await axe.check(page, `the login page at ${size}`);
          await logIn(page, 'alice', 'not-the-password');
          await page.getByRole('alert').waitFor(WAIT);
          await axe.check(page, `the login page with an error at ${size}`);
          axe.assertNone();
        });

        it('the channel list', async () => {
          const { page } = alice;
          await logIn(page, 'alice');
          await channels(page)
            .getByRole('button', { name: /General/ })
            .waitFor(WAIT);
          await expectNoAxeViolations(page, `the channel list at ${size}`);
        });

        it('an open channel with messages from two people, and the unread count', async () => {
          const axe = axeChecks();
          await logIn(bob.page, 'bob');
          await openGeneral(bob.page);
          await send(bob.page, `Lunch at noon? (${size})`);
          // alice has not opened it: the list counts it unread.
          await channels(alice.page)
            .getByLabel(/\d+ unread/)
            .waitFor(WAIT);
          await axe.check(alice.page, `the channel list with an unread count at ${size}`);
          await openGeneral(alice.page);
          await send(alice.page, `Sure, where? (${size})`);
          await alice.page
            .getByRole('list', { name: 'Messages' })
            .getByText(`Sure, where? (${size})`)
            .waitFor(WAIT);
          await bob.page.getByRole('textbox', { name: 'Message' }).pressSequentially('In the park');
          await alice.page.getByText('Bob is typing…').waitFor(WAIT);
          await axe.check(alice.page, `an open channel at ${size}`);
          axe.assertNone();
        });

        it('a muted channel', async () => {
          const { page } = alice;
          const mute = page.getByRole('button', { name: 'Mute channel' });
          await mute.click(WAIT);
          onTestFinished(async () => {
            await mute.click();
            await page.locator('[aria-pressed="false"]', { hasText: 'Mute channel' }).waitFor(WAIT);
          });
          await page.locator('[aria-pressed="true"]', { hasText: 'Mute channel' }).waitFor(WAIT);
          await expectNoAxeViolations(page, `a muted channel at ${size}`);
        });
      });
  });
}

const channels = (page: Page) => page.getByRole('navigation', { name: 'Channels' });

async function openGeneral(page: Page) {
  await channels(page)
    .getByRole('button', { name: /General/ })
    .click(WAIT);
  await page.getByRole('heading', { name: 'General' }).waitFor(WAIT);
}

async function send(page: Page, text: string) {
  const input = page.getByRole('textbox', { name: 'Message' });
  await input.fill(text);
  await input.press('Enter');
}
