import { resolve } from 'node:path';
import {
  assertBuilt,
  type Browser,
  browserAvailable,
  type ChatServer,
  DEMO_PASSWORD,
  launchChromium,
  openPage,
  type Page,
  startChat,
} from '@chat/browser-e2e';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** What `ng build` wrote (turbo runs `build` before `test`); the server serves it on its own origin. */
const webRoot = resolve(import.meta.dirname, '../dist/browser');
const WAIT = { timeout: 15_000 };

let chat: ChatServer;
let browser: Browser;

async function logIn(page: Page, username: string) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
}

async function openGeneral(page: Page) {
  await page
    .getByRole('navigation', { name: 'Channels' })
    .getByRole('button', { name: /General/ })
    .click(WAIT);
  await page.getByRole('heading', { name: 'General' }).waitFor(WAIT);
}

describe.skipIf(!browserAvailable())('the Angular chat app in Chromium', () => {
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
