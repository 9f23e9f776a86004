import {
  assertBuilt,
  type Browser,
  browserAvailable,
  type ChatServer,
  launchChromium,
  startChat,
} from '@chat/browser-e2e';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST, logIn, openChannel, WAIT } from './harness';

/** Mute from the channel menu, and the notification settings on a phone-sized screen, in Chromium. */

let chat: ChatServer;
let browser: Browser;

describe.skipIf(!browserAvailable())('the React chat app: mute and notification settings', () => {
  beforeAll(async () => {
    assertBuilt(DIST);
    [chat, browser] = await Promise.all([startChat({ webRoot: DIST }), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    await chat?.close();
  });

  it('"Mute channel" in the channel menu marks the channel muted in the header and the list', async () => {
    const { context, page } = await logIn(browser, chat, 'carol');
    try {
      await openChannel(page, 'General');
      const header = page.getByTestId('chat-channel-header');
      await header.getByRole('button', { name: 'Channel options' }).click();
      const item = page.getByRole('menuitemcheckbox', { name: 'Mute channel' });
      await expect.poll(() => item.getAttribute('aria-checked')).toBe('false');
      await item.click();
      await header.getByRole('img', { name: 'Muted' }).waitFor(WAIT);
      const listed = page.getByTestId('chat-channel-list-item').filter({ hasText: 'General' }).first();
      await listed.getByRole('img', { name: 'Muted' }).waitFor(WAIT);

      // From the keyboard: the menu opens on the item, Space unmutes.
      await header.getByRole('button', { name: 'Channel options' }).focus();
      await page.keyboard.press('ArrowDown');
      await expect.poll(() => item.evaluate((el) => el === document.activeElement)).toBe(true);
      await expect.poll(() => item.getAttribute('aria-checked')).toBe('true');
      await page.keyboard.press('Space');
      await expect.poll(() => header.getByRole('img', { name: 'Muted' }).count(), WAIT).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('the settings fit a 390 px phone, save the level and do-not-disturb, and come back from the server', async () => {
    const { context, page } = await logIn(browser, chat, 'dave');
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByTestId('app-notifications').click();
      const dialog = page.getByRole('dialog', { name: 'Notification settings' });
      const panel = dialog.getByTestId('chat-notification-settings');
      await panel.getByRole('radio', { name: 'All messages' }).waitFor(WAIT);
      await expect
        .poll(() => panel.getByRole('radio', { name: 'All messages' }).isChecked(), WAIT)
        .toBe(true);

      // Nothing wider than the screen: no sideways scrolling in the panel or the page.
      const fits = () =>
        panel.evaluate((el) => {
          const box = el.getBoundingClientRect();
          const overflowing = [...el.querySelectorAll('*')].filter((child) => {
            const r = child.getBoundingClientRect();
            return r.width > 0 && (r.left < -0.5 || r.right > window.innerWidth + 0.5);
          });
          return {
            left: box.left >= 0,
            right: box.right <= window.innerWidth,
            scroll: el.scrollWidth <= el.clientWidth,
            overflowing: overflowing.map((child) => child.className || child.tagName),
          };
        });
      expect(await fits()).toEqual({ left: true, right: true, scroll: true, overflowing: [] });

      // Loaded (a change before that waits for the server, and check() wants it at once).
      await expect
        .poll(() => panel.getByRole('radio', { name: 'All messages' }).isChecked(), WAIT)
        .toBe(true);
      await panel.getByRole('radio', { name: 'Mentions only' }).check();
      await panel.getByRole('radio', { name: 'For 1 hour' }).check();
      await expect
        .poll(() => panel.getByTestId('chat-dnd-status').textContent(), WAIT)
        .toMatch(/^Paused until /);
      // The custom time field fits too.
      await panel.getByRole('radio', { name: 'Until a date and time' }).check();
      await panel.getByLabel('Pause until').waitFor(WAIT);
      expect(await fits()).toEqual({ left: true, right: true, scroll: true, overflowing: [] });

      await page.keyboard.press('Escape');
      await expect.poll(() => dialog.count()).toBe(0);
    } finally {
      await context.close();
    }

    // Another browser of dave's: what was saved is what the server gives back.
    const again = await logIn(browser, chat, 'dave');
    try {
      await again.page.getByTestId('app-notifications').click();
      const panel = again.page.getByTestId('chat-notification-settings');
      await expect
        .poll(() => panel.getByRole('radio', { name: 'Mentions only' }).isChecked(), WAIT)
        .toBe(true);
      await expect
        .poll(() => panel.getByTestId('chat-dnd-status').textContent(), WAIT)
        .toMatch(/^Paused until /);
      await panel.getByRole('radio', { name: 'Off' }).check();
      await expect
        .poll(() => panel.getByTestId('chat-dnd-status').textContent(), WAIT)
        .toBe('Notifications are on');
    } finally {
      await again.context.close();
    }
  });

  it('"Notification settings" in the channel menu opens the settings for that channel', async () => {
    const { context, page } = await logIn(browser, chat, 'bob');
    try {
      await openChannel(page, 'General');
      await page.getByTestId('chat-channel-header').getByRole('button', { name: 'Channel options' }).click();
      await page.getByRole('menuitem', { name: 'Notification settings' }).click();
      const own = page.getByRole('group', { name: 'In General' });
      await own.getByLabel('Notifications in General').selectOption('none');
      // The mute is the server's answer, not immediate: click, then wait for it.
      await own.getByRole('checkbox', { name: 'Mute this channel' }).click();
      await page.getByTestId('chat-channel-header').getByRole('img', { name: 'Muted' }).waitFor(WAIT);
      await page.getByRole('button', { name: 'Close notification settings' }).click();
      // Focus is back on the channel menu's button.
      await expect
        .poll(() =>
          page
            .getByTestId('chat-channel-header')
            .getByRole('button', { name: 'Channel options' })
            .evaluate((el) => el === document.activeElement),
        )
        .toBe(true);
    } finally {
      await context.close();
    }
  });
});
