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
import { demoBackend } from '@chat/browser-e2e/demo-backend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIST, logIn, messageRow, messageTexts, openChannel, PHONE, send, WAIT } from './harness';

/**
 * Safety and moderation in the React chat app, as `npm start` runs it (alice is the demo app's
 * admin): bob reports carol's message, alice reviews it and deletes it, and both see it removed
 * by a moderator; bob blocks carol and her messages leave his screen; a freeze writes a system
 * line; the report dialog and the pinned messages fit a phone.
 */

let chat: ChatServer;
let browser: Browser;
type Session = { context: BrowserContext; page: Page };
let alice: Session;
let bob: Session;
let carol: Session;

/** Opens the message menu of the row showing `text` and picks `item`. */
async function pick(page: Page, text: string, item: string | RegExp) {
  const row = messageRow(page, text);
  await row.getByTestId('chat-message-text').click();
  await row.getByRole('button', { name: 'Message actions' }).click();
  await page.getByRole('menu', { name: 'Message actions' }).getByRole('menuitem', { name: item }).click(WAIT);
}

/** Whether anything on the page is wider than its window (a horizontal scrollbar). */
const overflows = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);

/** A box's right edge is inside the window. */
async function fits(page: Page, testId: string) {
  const box = await page.getByTestId(testId).boundingBox();
  const width = page.viewportSize()!.width;
  expect(box).not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(width);
}

describe.skipIf(!browserAvailable())(
  'moderation in the React chat app, alice, bob and carol in Chromium',
  () => {
    beforeAll(async () => {
      assertBuilt(DIST);
      [chat, browser] = await Promise.all([startChat({ webRoot: DIST }), launchChromium()]);
      alice = await logIn(browser, chat, 'alice');
      bob = await logIn(browser, chat, 'bob');
      carol = await logIn(browser, chat, 'carol');
      for (const { page } of [alice, bob, carol]) await openChannel(page, 'General');
    });

    beforeEach(({ task, onTestFailed }) => {
      onTestFailed(async () => {
        const name = task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
        for (const [who, session] of [
          ['alice', alice],
          ['bob', bob],
          ['carol', carol],
        ] as const) {
          const path = `${tmpdir()}/react-chat-moderation-${name}-${who}.png`;
          await session?.page.screenshot({ path }).catch(() => {});
          console.error(`screenshot: ${path}`);
        }
      });
    });

    afterAll(async () => {
      await browser?.close();
      await chat?.close();
    });

    it('bob reports carol’s message; alice reviews it and deletes it; both see “Removed by a moderator”', async () => {
      const rude = 'you are all idiots';
      await send(carol.page, rude);
      await messageRow(bob.page, rude).waitFor(WAIT);

      await pick(bob.page, rude, 'Report…');
      const dialog = bob.page.getByTestId('chat-report-dialog');
      await dialog.getByRole('radio', { name: 'Harassment or bullying' }).check();
      await dialog.getByRole('textbox', { name: 'Anything to add? (optional)' }).fill('insults everyone');
      await dialog.getByRole('button', { name: 'Submit report' }).click();
      await dialog.getByRole('status').getByText('Thanks. The moderators will review it.').waitFor(WAIT);
      await dialog.getByRole('button', { name: 'Close' }).click();
      await dialog.waitFor({ state: 'detached', ...WAIT });

      // A second report of the same message says so.
      await pick(bob.page, rude, 'Report…');
      await dialog.getByRole('radio', { name: 'Spam' }).check();
      await dialog.getByRole('button', { name: 'Submit report' }).click();
      await dialog.getByRole('alert').getByText('You already reported this.').waitFor(WAIT);
      await dialog.getByRole('button', { name: 'Cancel' }).click();

      // Only app admins get the review queue.
      expect(await bob.page.getByTestId('app-moderation').count()).toBe(0);
      await alice.page.getByTestId('app-moderation').click();
      const queue = alice.page.getByTestId('chat-review-queue');
      const item = queue.getByTestId('chat-review-item').filter({ hasText: rude });
      await item.waitFor(WAIT);
      await expect.poll(() => item.getByTestId('chat-review-count').getAttribute('data-count')).toBe('1');
      await expect.poll(() => item.innerText()).toContain('harassment');
      await item.getByRole('button', { name: 'Delete message' }).click();
      await item.waitFor({ state: 'detached', ...WAIT });
      await queue.getByRole('status').getByText('Message deleted.').waitFor(WAIT);
      await queue.getByRole('button', { name: 'Close reports' }).click();

      for (const page of [bob.page, alice.page]) {
        await page.getByTestId('chat-message-deleted').getByText('Removed by a moderator').waitFor(WAIT);
        expect(await messageTexts(page)).not.toContain(rude);
      }
    });

    it('bob blocks carol: her messages leave his screen, and her new ones never reach it; alice still sees them', async () => {
      const before = 'carol before the block';
      await send(carol.page, before);
      await messageRow(bob.page, before).waitFor(WAIT);

      await pick(bob.page, before, 'Block Carol');
      const dialog = bob.page.getByTestId('chat-block-dialog');
      await dialog.getByRole('button', { name: 'Block' }).click();
      await dialog.waitFor({ state: 'detached', ...WAIT });
      await messageRow(bob.page, before).waitFor({ state: 'detached', ...WAIT });

      const after = 'carol after the block';
      await send(carol.page, after);
      await messageRow(alice.page, after).waitFor(WAIT);
      const marker = 'alice after carol';
      await send(alice.page, marker);
      await messageRow(bob.page, marker).waitFor(WAIT);
      const shown = await messageTexts(bob.page);
      expect(shown).not.toContain(after);
      expect(shown).not.toContain(before);
      expect(await messageTexts(alice.page)).toEqual(expect.arrayContaining([before, after, marker]));

      // After a reload too: the server hides them.
      await bob.page.reload();
      await openChannel(bob.page, 'General');
      await messageRow(bob.page, marker).waitFor(WAIT);
      expect(await messageTexts(bob.page)).not.toContain(after);

      // Undone from the blocked users (beside the notification settings): her next message shows.
      await bob.page.getByTestId('app-notifications').click();
      const blocked = bob.page.getByTestId('chat-blocked-users');
      await blocked.getByTestId('chat-blocked-user').filter({ hasText: 'Carol' }).waitFor(WAIT);
      await blocked.getByRole('button', { name: 'Unblock Carol' }).click();
      await blocked.getByText('You have not blocked anyone.').waitFor(WAIT);
      await bob.page.keyboard.press('Escape');
      const unblocked = 'carol once unblocked';
      await send(carol.page, unblocked);
      await messageRow(bob.page, unblocked).waitFor(WAIT);
    });

    it('freezing the channel writes a system line every member sees, not an author’s bubble', async () => {
      const backend = await demoBackend(chat);
      await backend.call('POST', '/v1/channels/team/general/freeze');
      try {
        for (const page of [alice.page, bob.page]) {
          const line = page.getByTestId('chat-system-message').last();
          await line.waitFor(WAIT);
          expect(await line.innerText()).toMatch(/froze|frozen/i);
          expect(await line.locator('[data-testid="chat-message-actions"]').count()).toBe(0);
        }
      } finally {
        await backend.call('POST', '/v1/channels/team/general/unfreeze');
      }
    });

    it('on a phone: the report dialog and the pinned messages fit the screen; a pin opens its message', async () => {
      const pinned = 'the channel rules';
      await send(alice.page, pinned);
      await pick(alice.page, pinned, 'Pin');
      await alice.page.getByTestId('chat-pin-status').waitFor({ state: 'detached', ...WAIT });

      const phone = await logIn(browser, chat, 'dave', PHONE);
      try {
        await openChannel(phone.page, 'General');
        await messageRow(phone.page, pinned).waitFor(WAIT);
        await pick(phone.page, pinned, 'Report…');
        const dialog = phone.page.getByTestId('chat-report-dialog');
        await dialog.getByRole('radio', { name: 'Something else' }).waitFor(WAIT);
        await fits(phone.page, 'chat-report-dialog');
        expect(await overflows(phone.page)).toBe(false);
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await dialog.waitFor({ state: 'detached', ...WAIT });

        await phone.page.getByRole('button', { name: 'Channel options' }).click();
        await phone.page.getByRole('menuitem', { name: 'Pinned messages' }).click();
        const pin = phone.page.getByTestId('chat-pinned-message').filter({ hasText: pinned });
        await pin.waitFor(WAIT);
        expect(await pin.innerText()).toContain('Pinned by Alice');
        await fits(phone.page, 'chat-pinned-messages');
        expect(await overflows(phone.page)).toBe(false);
        await pin.click();
        await phone.page.getByTestId('app-pinned-dialog').waitFor({ state: 'detached', ...WAIT });
        await messageRow(phone.page, pinned).waitFor(WAIT);
      } finally {
        await phone.context.close();
      }
    });
  },
);
