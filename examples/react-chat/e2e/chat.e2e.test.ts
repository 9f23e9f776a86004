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
import { DIST, logIn, messageRow, messageTexts, openChannel, send, WAIT } from './harness';

/** Two people in two browsers chatting through the reference server, as `npm start` runs it. */

let chat: ChatServer;
let browser: Browser;
let alice: { context: BrowserContext; page: Page };
let bob: { context: BrowserContext; page: Page };

describe.skipIf(!browserAvailable())('the React chat app, alice and bob in Chromium', () => {
  beforeAll(async () => {
    assertBuilt(DIST);
    [chat, browser] = await Promise.all([startChat({ webRoot: DIST }), launchChromium()]);
    alice = await logIn(browser, chat, 'alice');
    bob = await logIn(browser, chat, 'bob');
  });

  // A failing test leaves screenshots of both browsers behind (in CI's log: where to look).
  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(async () => {
      const name = task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
      for (const [who, session] of [
        ['alice', alice],
        ['bob', bob],
      ] as const) {
        const path = `${tmpdir()}/react-chat-${name}-${who}.png`;
        await session?.page.screenshot({ path }).catch(() => {});
        console.error(`screenshot: ${path}`);
      }
    });
  });

  afterAll(async () => {
    await browser?.close();
    await chat?.close();
  });

  it('a message sent by one appears for the other', async () => {
    await openChannel(alice.page, 'General');
    await openChannel(bob.page, 'General');
    await send(alice.page, 'Hello Bob!');
    await messageRow(bob.page, 'Hello Bob!').waitFor(WAIT);
    await expect.poll(() => messageRow(alice.page, 'Hello Bob!').getAttribute('data-status')).toBe('sent');
  });

  it('the typing indicator shows while one types, and clears', async () => {
    await bob.page.getByTestId('chat-message-input').pressSequentially('I am typ', { delay: 20 });
    const indicator = alice.page.getByTestId('chat-typing-indicator');
    await expect.poll(() => indicator.textContent(), WAIT).toMatch(/Bob/i);
    await bob.page.getByTestId('chat-message-input').press('Enter');
    await expect.poll(() => indicator.textContent(), WAIT).not.toMatch(/Bob/i);
    await messageRow(alice.page, 'I am typ').waitFor(WAIT);
  });

  it('a reaction shows for both', async () => {
    const row = messageRow(bob.page, 'Hello Bob!');
    await row.hover();
    await row.getByRole('button', { name: 'Message actions' }).first().click();
    await bob.page.getByRole('menuitem', { name: /react/i }).click();
    await bob.page.getByTestId('chat-reaction-picker').getByRole('menuitem').first().click();
    for (const page of [bob.page, alice.page]) {
      const reaction = messageRow(page, 'Hello Bob!').getByTestId('chat-reaction');
      await expect.poll(() => reaction.count(), WAIT).toBe(1);
      await expect.poll(() => reaction.textContent()).toMatch(/1/);
    }
  });

  it('the unread badge of a channel not open rises, and clears when it is opened', async () => {
    // alice starts a conversation with bob; bob stays in General.
    await alice.page.getByRole('button', { name: 'New conversation' }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'New conversation' });
    await dialog.getByLabel('Find people').fill('bo');
    await dialog.getByLabel(/bob/i).check(WAIT);
    await dialog.getByLabel('Name (optional)').fill('Plans');
    await dialog.getByRole('button', { name: /start conversation/i }).click();
    await alice.page.getByTestId('chat-channel-header').getByRole('heading', { name: 'Plans' }).waitFor(WAIT);
    await send(alice.page, 'lunch?');
    await send(alice.page, 'at noon');

    const item = bob.page.getByTestId('chat-channel-list-item').filter({ hasText: 'Plans' });
    const badge = item.getByTestId('chat-unread-badge');
    await expect.poll(() => badge.getAttribute('data-count'), WAIT).toBe('2');
    await openChannel(bob.page, 'Plans');
    await expect.poll(() => badge.count(), WAIT).toBe(0);
    expect(await messageTexts(bob.page)).toEqual(['lunch?', 'at noon']);
  });

  it('a direct message is called by the other person’s name, never by its generated id', async () => {
    await alice.page.getByRole('button', { name: 'New conversation' }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'New conversation' });
    await dialog.getByLabel('Find people').fill('ca');
    await dialog.getByLabel(/carol/i).check(WAIT);
    // The dialog names who is chosen by their display name.
    expect(await dialog.getByTestId('app-chosen').textContent()).toBe('With: Carol');
    await dialog.getByRole('button', { name: /start conversation/i }).click();
    await alice.page.getByTestId('chat-channel-header').getByRole('heading', { name: 'Carol' }).waitFor(WAIT);
    await send(alice.page, 'just us');
    const item = alice.page.getByTestId('chat-channel-list-item').filter({ hasText: 'just us' });
    await expect.poll(() => item.locator('.chat-channel-list__name').textContent(), WAIT).toBe('Carol');
    expect(await alice.page.getByTestId('chat-channel-list').textContent()).not.toContain('!members');
  });

  it('search finds a message in another channel and opens it', async () => {
    await openChannel(alice.page, 'General');
    await alice.page.getByRole('button', { name: 'Search' }).click();
    await alice.page.getByRole('searchbox', { name: 'Search messages' }).fill('noon');
    const result = alice.page.getByTestId('chat-search-result').filter({ hasText: 'at noon' });
    await result.waitFor(WAIT);
    expect(await result.locator('mark').textContent()).toBe('noon');
    await result.click();
    await alice.page.getByTestId('chat-channel-header').getByRole('heading', { name: 'Plans' }).waitFor(WAIT);
    await alice.page.getByRole('button', { name: 'Search' }).click();
  });

  it('messages sent offline show as sending, then arrive once and in order when back online', async () => {
    await openChannel(alice.page, 'General');
    await openChannel(bob.page, 'General');
    await bob.context.setOffline(true);
    await expect
      .poll(() => bob.page.getByTestId('app-connection-banner').getAttribute('data-status'), WAIT)
      .toMatch(/offline|reconnecting/);
    await send(bob.page, 'sent offline 1');
    await send(bob.page, 'sent offline 2');
    for (const text of ['sent offline 1', 'sent offline 2'])
      expect(await messageRow(bob.page, text).getAttribute('data-status')).toBe('sending');

    await bob.context.setOffline(false);
    for (const text of ['sent offline 1', 'sent offline 2']) {
      await expect.poll(() => messageRow(bob.page, text).getAttribute('data-status'), WAIT).toBe('sent');
      await messageRow(alice.page, text).waitFor(WAIT);
    }
    const seen = (await messageTexts(alice.page)).filter((t) => t.startsWith('sent offline'));
    expect(seen).toEqual(['sent offline 1', 'sent offline 2']);
  });
});
