import { tmpdir } from 'node:os';
import {
  AXE_SIZES,
  assertBuilt,
  axeChecks,
  type Browser,
  type BrowserContext,
  browserAvailable,
  type ChatServer,
  expectNoAxeViolations,
  launchChromium,
  logIn,
  openPage,
  type Page,
  startChat,
} from '@chat/browser-e2e';
import { demoBackend } from '@chat/browser-e2e/demo-backend';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { DIST, messageRow, openChannel, send, WAIT } from './harness';

/**
 * axe-core (WCAG 2.0/2.1 A and AA, and best practices) finds nothing on any screen of the app,
 * at a desktop size and a phone's, in the light and the dark theme: the login page, the channel
 * list, an open channel with messages (a quote, a thread reply, a reaction), the message actions
 * menu, the thread, the new-conversation and notification dialogs, the search and the
 * browse-channels panels.
 */

let chat: ChatServer;
let browser: Browser;

describe.skipIf(!browserAvailable())('axe on every screen of the React app', () => {
  beforeAll(async () => {
    assertBuilt(DIST);
    [chat, browser] = await Promise.all([startChat({ webRoot: DIST }), launchChromium()]);
    // A public channel alice is not in, for the browse panel to list.
    await (await demoBackend(chat)).call('POST', '/v1/channels', {
      type: 'livestream',
      id: 'axe-town-square',
      name: 'Town square',
      members: ['bob'],
      created_by_id: 'bob',
    });
  });

  afterAll(async () => {
    await browser?.close();
    await chat?.close();
  });

  for (const { name: size, device } of AXE_SIZES)
    describe(`at ${size}`, () => {
      let session: { context: BrowserContext; page: Page };
      // Each size writes its own messages into the shared server.
      const words = { first: `Lunch at noon? (${size})`, second: `Sure, where? (${size})` };

      beforeAll(async () => {
        session = await openPage(browser, chat.url, device);
      });

      afterAll(async () => {
        await session?.context.close();
      });

      beforeEach(({ task, onTestFailed }) => {
        onTestFailed(async () => {
          const name = task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
          const path = `${tmpdir()}/react-axe-${size.replace('×', 'x')}-${name}.png`;
          await session?.page.screenshot({ path }).catch(() => {});
          console.error(`screenshot: ${path}`);
        });
      });

      it('the login page', async () => {
        const { page } = session;
        await page.getByLabel('Username').waitFor(WAIT);
        await expectNoAxeViolations(page, `the login page at ${size}`);
      });

      it('the channel list', async () => {
        const { page } = session;
        await logIn(page, 'alice');
        await page.getByTestId('chat-channel-list-item').first().waitFor(WAIT);
        await expectNoAxeViolations(page, `the channel list at ${size}`);
      });

      it('an open channel with messages, a quote, a thread reply and a reaction', async () => {
        const { page } = session;
        await openChannel(page, 'General');
        await send(page, words.first);
        await messageRow(page, words.first).waitFor(WAIT);
        // A quote of the first message, then a reaction to it.
        await messageActions(page, words.first, 'Quote');
        await send(page, words.second);
        await messageRow(page, words.second).waitFor(WAIT);
        const row = messageRow(page, words.first);
        // No hover on a phone: a tap on the text shows the quick reactions.
        await row.getByTestId('chat-message-text').click();
        await row.getByRole('button', { name: 'React with ❤️' }).click();
        await row.getByRole('button', { name: '❤️: 1 reaction' }).waitFor(WAIT);
        await expectNoAxeViolations(page, `an open channel at ${size}`);
      });

      it('the message actions menu', async () => {
        const { page } = session;
        const row = messageRow(page, words.first);
        await row.getByTestId('chat-message-text').click();
        await row.getByRole('button', { name: 'Message actions' }).click();
        const menu = page.getByRole('menu', { name: 'Message actions' });
        await menu.waitFor(WAIT);
        onTestFinished(() => menu.press('Escape'));
        await expectNoAxeViolations(page, `the message actions menu at ${size}`);
      });

      it('the thread panel', async () => {
        const { page } = session;
        await openThread(page, words.first);
        const thread = page.getByTestId('chat-thread');
        onTestFinished(() => thread.getByTestId('chat-thread-close').click());
        const input = thread.getByTestId('chat-message-input');
        await input.fill(`In the park (${size})`);
        await input.press('Enter');
        await expect
          .poll(() => messageRow(page, `In the park (${size})`).getAttribute('data-status'), WAIT)
          .toBe('sent');
        await expectNoAxeViolations(page, `the thread panel at ${size}`);
      });

      it('a message waiting to be sent, offline', async () => {
        const { context, page } = session;
        await context.setOffline(true);
        onTestFinished(() => context.setOffline(false));
        await page.getByTestId('app-connection-banner').waitFor(WAIT);
        await send(page, `Back soon (${size})`);
        await expect
          .poll(() => messageRow(page, `Back soon (${size})`).getAttribute('data-status'))
          .toBe('sending');
        await expectNoAxeViolations(page, `a message waiting to be sent at ${size}`);
      });

      for (const theme of ['light', 'dark'] as const) {
        it(`the new-conversation dialog (${theme})`, async () => {
          const { page } = session;
          await backToList(page);
          await page.getByTestId('app-theme').selectOption(theme);
          await page.getByRole('button', { name: 'New conversation' }).click();
          const dialog = page.getByRole('dialog', { name: 'New conversation' });
          onTestFinished(() => dialog.getByRole('button', { name: 'Cancel' }).click());
          await dialog.getByLabel('Find people').fill('bo');
          await dialog.getByLabel(/bob/i).check(WAIT);
          await expectNoAxeViolations(page, `the new-conversation dialog at ${size}, ${theme}`);
        });

        it(`the notification settings dialog (${theme})`, async () => {
          const { page } = session;
          await page.getByTestId('app-notifications').click();
          const dialog = page.getByTestId('app-notifications-dialog');
          onTestFinished(async () => {
            await dialog.press('Escape');
            await dialog.waitFor({ state: 'detached', ...WAIT });
          });
          await dialog.getByRole('radio').first().waitFor(WAIT);
          await expectNoAxeViolations(page, `the notification settings dialog at ${size}, ${theme}`);
        });

        it(`the search panel with results (${theme})`, async () => {
          const { page } = session;
          await page.getByRole('button', { name: 'Search' }).click();
          onTestFinished(() => page.getByRole('button', { name: 'Search' }).click());
          await page.getByRole('searchbox', { name: 'Search messages' }).fill('noon');
          await page.getByTestId('chat-search-result').first().waitFor(WAIT);
          await expectNoAxeViolations(page, `the search panel at ${size}, ${theme}`);
        });

        it(`the browse-channels panel (${theme})`, async () => {
          const { page } = session;
          await page.getByTestId('app-browse').click();
          onTestFinished(() => page.getByTestId('app-browse').click());
          await page.getByTestId('chat-browse-item').first().waitFor(WAIT);
          await expectNoAxeViolations(page, `the browse-channels panel at ${size}, ${theme}`);
        });

        if (theme === 'dark')
          it('the channel and the thread (dark)', async () => {
            const { page } = session;
            const axe = axeChecks();
            expect(await page.locator('.chat-root').first().getAttribute('data-theme')).toBe('dark');
            await axe.check(page, `the channel list at ${size}, dark`);
            await openChannel(page, 'General');
            await axe.check(page, `an open channel at ${size}, dark`);
            await openThread(page, words.first);
            onTestFinished(() => page.getByTestId('chat-thread-close').click());
            await page.getByTestId('chat-thread').getByText(`In the park (${size})`).waitFor(WAIT);
            await axe.check(page, `the channel and its thread at ${size}, dark`);
            axe.assertNone();
          });
      }

      it('the login page (dark)', async () => {
        const { page } = session;
        await backToList(page);
        await page.getByRole('button', { name: 'Log out' }).click();
        await page.getByLabel('Username').waitFor(WAIT);
        expect(await page.locator('.chat-root').first().getAttribute('data-theme')).toBe('dark');
        await expectNoAxeViolations(page, `the login page at ${size}, dark`);
      });
    });
});

/** Picks `item` in the "⋯" menu of the message showing `text`. */
async function messageActions(page: Page, text: string, item: string) {
  const row = messageRow(page, text);
  await row.getByTestId('chat-message-text').click();
  await row.getByRole('button', { name: 'Message actions' }).click();
  await page.getByRole('menuitem', { name: item }).click();
}

async function openThread(page: Page, text: string) {
  await messageActions(page, text, 'Reply in thread');
  await page.getByTestId('chat-thread').waitFor(WAIT);
}

/** On a phone the list and the channel take turns: back to the list (a no-op on a desktop). */
async function backToList(page: Page) {
  const back = page.getByRole('button', { name: 'Back to channels' });
  if (await back.isVisible()) await back.click();
  await page.getByTestId('chat-channel-list').waitFor(WAIT);
}
