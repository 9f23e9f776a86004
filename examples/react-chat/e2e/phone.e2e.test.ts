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
import { DIST, logIn, messageRow, PHONE, send, WAIT } from './harness';

/** The app on a phone (390×844, touch): one pane at a time, a back control, nothing wider than the screen. */

let chat: ChatServer;
let browser: Browser;
let carol: { context: BrowserContext; page: Page };

/** Whether the page scrolls sideways (something wider than the screen). */
const scrollsSideways = (page: Page) =>
  page.evaluate(() => document.scrollingElement!.scrollWidth > document.scrollingElement!.clientWidth);

describe.skipIf(!browserAvailable())('the React chat app on a phone', () => {
  beforeAll(async () => {
    assertBuilt(DIST);
    [chat, browser] = await Promise.all([startChat({ webRoot: DIST }), launchChromium()]);
    carol = await logIn(browser, chat, 'carol', PHONE);
  });

  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(async () => {
      const path = `${tmpdir()}/react-chat-phone-${task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`;
      await carol?.page.screenshot({ path }).catch(() => {});
      console.error(`screenshot: ${path}`);
    });
  });

  afterAll(async () => {
    await carol?.context.close();
    await browser?.close();
    await chat?.close();
  });

  it('shows the list full width, opens a channel full width, and goes back', async () => {
    const { page } = carol;
    const layout = page.getByTestId('chat-layout');
    expect(await layout.getAttribute('data-narrow')).toBe('true');
    const list = page.getByTestId('chat-channel-list');
    // The list takes the screen; no channel pane beside it.
    expect((await list.boundingBox())!.width).toBeGreaterThan(350);
    expect(await page.getByTestId('chat-channel-header').isVisible()).toBe(false);

    await page.getByTestId('chat-channel-list-item').filter({ hasText: 'General' }).first().tap(WAIT);
    const header = page.getByTestId('chat-channel-header');
    await header.getByRole('heading', { name: 'General' }).waitFor(WAIT);
    expect(await list.isVisible()).toBe(false);
    const input = page.getByTestId('chat-message-input');
    // Half the 390 px and more: beside it only the attach, emoji and Send buttons (38 px touch targets).
    expect((await input.boundingBox())!.width).toBeGreaterThan(185);

    const long = `a-very-long-word-${'x'.repeat(120)} and a link https://example.com/${'y'.repeat(80)}`;
    await send(page, long);
    await messageRow(page, long).waitFor(WAIT);
    expect(await scrollsSideways(page)).toBe(false);
    // The message's text wraps within the screen.
    expect((await messageRow(page, long).boundingBox())!.width).toBeLessThanOrEqual(390);
    // No hover on a phone: a tap on the message shows its actions, and a quick reaction is one more tap.
    const row = messageRow(page, long);
    const actions = row.getByTestId('chat-message-actions');
    const opacity = () => actions.evaluate((el) => getComputedStyle(el).opacity);
    expect(await opacity()).toBe('0');
    await row.getByTestId('chat-message-text').tap();
    await expect.poll(opacity, WAIT).toBe('1');
    await row.getByRole('button', { name: 'React with ❤️' }).tap();
    await row.getByRole('button', { name: '❤️: 1 reaction' }).waitFor(WAIT);

    const back = page.getByRole('button', { name: 'Back to channels' });
    const target = (await back.boundingBox())!;
    expect(Math.min(target.width, target.height)).toBeGreaterThanOrEqual(44);
    await back.tap();
    await list.waitFor(WAIT);
    expect(await header.isVisible()).toBe(false);
    expect(await scrollsSideways(page)).toBe(false);
  });

  it('a theme chosen in the app stays chosen after a reload', async () => {
    const { page } = carol;
    const root = page.locator('.chat-root').first();
    expect(await root.getAttribute('data-theme')).toBe('auto');
    await page.getByTestId('app-theme').selectOption('dark');
    await expect.poll(() => root.getAttribute('data-theme'), WAIT).toBe('dark');
    await page.reload();
    // The session is kept too (e2e/session.e2e.test.ts): the chat comes back, still dark.
    await page.getByTestId('chat-channel-list').waitFor(WAIT);
    expect(await page.locator('.chat-root').first().getAttribute('data-theme')).toBe('dark');
  });
});
