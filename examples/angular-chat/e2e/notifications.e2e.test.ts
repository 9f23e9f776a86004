import { resolve } from 'node:path';
import {
  assertBuilt,
  type Browser,
  browserAvailable,
  type ChatServer,
  launchChromium,
  logIn,
  openPage,
  type Page,
  startChat,
  WAIT,
} from '@chat/browser-e2e';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const WEB_ROOT = resolve(import.meta.dirname, '../dist/browser');

let chat: ChatServer;
let browser: Browser;

async function openGeneral(page: Page) {
  await page
    .getByRole('navigation', { name: 'Channels' })
    .getByRole('button', { name: /General/ })
    .click(WAIT);
  await page.getByRole('heading', { name: 'General' }).waitFor(WAIT);
}

describe.skipIf(!browserAvailable())('the Angular chat app: mute and the notification level', () => {
  beforeAll(async () => {
    assertBuilt(WEB_ROOT);
    [chat, browser] = await Promise.all([startChat({ webRoot: WEB_ROOT }), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    await chat?.close();
  });

  it('mutes and unmutes the open channel, and saves the level the server then gives back', async () => {
    const alice = await openPage(browser, chat.url);
    await logIn(alice.page, 'alice');
    await openGeneral(alice.page);
    const mute = alice.page.getByRole('button', { name: 'Mute channel' });
    await expect.poll(() => mute.getAttribute('aria-pressed'), WAIT).toBe('false');
    await mute.click();
    await expect.poll(() => mute.getAttribute('aria-pressed'), WAIT).toBe('true');

    const level = alice.page.getByLabel('Notifications');
    await expect.poll(() => level.inputValue(), WAIT).toBe('all');
    await level.selectOption('mentions');
    await expect.poll(() => level.inputValue()).toBe('mentions');

    // Another browser of alice's: both come from the server.
    const again = await openPage(browser, chat.url);
    await logIn(again.page, 'alice');
    await openGeneral(again.page);
    const otherMute = again.page.getByRole('button', { name: 'Mute channel' });
    await expect.poll(() => otherMute.getAttribute('aria-pressed'), WAIT).toBe('true');
    await expect.poll(() => again.page.getByLabel('Notifications').inputValue(), WAIT).toBe('mentions');

    // Unmuted there: the first browser, watching the channel, follows (member.updated).
    await otherMute.click();
    await expect.poll(() => mute.getAttribute('aria-pressed'), WAIT).toBe('false');
    await alice.context.close();
    await again.context.close();
  });
});
