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
import { DEVICES, DIST, logIn, messageRow, send, WAIT } from './harness';

/**
 * What a person does with messages, at 1280×800 and on a phone: a direct message named after
 * the other person, markdown (and a script that stays text), a reaction in one click and who
 * reacted, the emoji picker.
 */

let chat: ChatServer;
let browser: Browser;
let sessions: { context: BrowserContext; page: Page }[] = [];

describe.skipIf(!browserAvailable())('the React app: messages', () => {
  beforeAll(async () => {
    assertBuilt(DIST);
    [chat, browser] = await Promise.all([startChat({ webRoot: DIST }), launchChromium()]);
  });

  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(async () => {
      for (const [i, s] of sessions.entries()) {
        const path = `${tmpdir()}/react-chat-messages-${task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}-${i}.png`;
        await s.page.screenshot({ path }).catch(() => {});
        console.error(`screenshot: ${path}`);
      }
    });
  });

  afterAll(async () => {
    await browser?.close();
    await chat?.close();
  });

  for (const [device, options] of DEVICES) {
    it(`${device}: a direct message carries the other's name; markdown shows formatted, HTML as text; one click reacts`, async () => {
      for (const s of sessions) await s.context.close();
      const [me, other, otherName] =
        device === 'desktop' ? ['alice', 'dave', 'Dave'] : ['bob', 'carol', 'Carol'];
      const mine = await logIn(browser, chat, me, options);
      const theirs = await logIn(browser, chat, other, options);
      sessions = [mine, theirs];
      const page = mine.page;

      await page.getByRole('button', { name: 'New conversation' }).click(WAIT);
      const dialog = page.getByRole('dialog', { name: 'New conversation' });
      await dialog.getByLabel('Find people').fill(other.slice(0, 2));
      await dialog.getByLabel(new RegExp(other, 'i')).check(WAIT);
      await dialog.getByRole('button', { name: /start conversation/i }).click(WAIT);
      await page.getByTestId('chat-channel-header').getByRole('heading', { name: otherName }).waitFor(WAIT);

      const text = `**bold ${device}** and \`code\` <img src=x onerror="window.hacked=1"> [x](javascript:alert(1))`;
      await send(page, text);
      const row = messageRow(page, '').filter({ has: page.locator('strong', { hasText: `bold ${device}` }) });
      await row.waitFor(WAIT);
      expect(await row.locator('code').first().textContent()).toBe('code');
      // The HTML is shown as typed, never made into an element; the javascript: link is text.
      expect(await row.locator('img').count()).toBe(0);
      expect(await row.getByTestId('chat-message-text').textContent()).toContain('<img src=x onerror=');
      expect(await row.locator('a[href^="javascript"]').count()).toBe(0);
      expect(await page.evaluate(() => (window as { hacked?: number }).hacked)).toBeUndefined();

      // The other person reacts with one click on a quick reaction; both see it, and who.
      const theirPage = theirs.page;
      await theirPage
        .getByTestId('chat-channel-list-item')
        .filter({ hasText: me === 'alice' ? 'Alice' : 'Bob' })
        .first()
        .click(WAIT);
      const theirRow = theirPage
        .getByTestId('chat-message')
        .filter({ has: theirPage.locator('strong', { hasText: `bold ${device}` }) });
      await theirRow.waitFor(WAIT);
      if (device === 'phone') await theirRow.tap();
      else await theirRow.hover();
      await theirRow.getByRole('button', { name: 'React with 👍' }).click(WAIT);
      for (const p of [page, theirPage]) {
        const chip = p
          .getByTestId('chat-message')
          .filter({ has: p.locator('strong', { hasText: `bold ${device}` }) })
          .getByTestId('chat-reaction');
        await expect.poll(() => chip.textContent(), WAIT).toMatch(/👍\s*1/);
      }
      const chip = row.getByTestId('chat-reaction');
      await chip.focus();
      await expect
        .poll(() => row.getByTestId('chat-reaction-tooltip').textContent(), WAIT)
        .toContain(otherName);
    });

    it(`${device}: the emoji picker opens on demand, inserts at the caret, and closes with Escape`, async () => {
      const page = sessions[0]!.page;
      const input = page.getByTestId('chat-message-input');
      await input.fill('hello  world');
      await input.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(6, 6));
      await page.getByTestId('chat-emoji-button').click(WAIT);
      const picker = page.getByRole('dialog', { name: /emoji/i });
      await picker.waitFor(WAIT);
      const box = await picker.boundingBox();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(options.viewport.width);
      await picker.getByRole('searchbox').fill('rocket');
      await picker.getByRole('gridcell').first().click(WAIT);
      // An emoji about rockets, at the caret (between the two spaces).
      await expect
        .poll(() => input.inputValue(), WAIT)
        .toMatch(/^hello \p{Extended_Pictographic}\S* world$/u);
      await page.getByTestId('chat-emoji-button').click(WAIT);
      await picker.waitFor(WAIT);
      await page.keyboard.press('Escape');
      await picker.waitFor({ state: 'detached', ...WAIT });
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid')))
        .toBe('chat-emoji-button');
      for (const s of sessions) await s.context.close();
      sessions = [];
    });
  }
});
