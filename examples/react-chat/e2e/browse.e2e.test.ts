import { tmpdir } from 'node:os';
import {
  assertBuilt,
  type Browser,
  browserAvailable,
  type ChatServer,
  launchChromium,
  type Page,
  startChat,
} from '@chat/browser-e2e';
import { demoBackend } from '@chat/browser-e2e/demo-backend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEVICES, DIST, logIn, messageRow, send, WAIT } from './harness';

/** Finding public channels and joining them; a direct message says when the other was last seen. */

let chat: ChatServer;
let browser: Browser;
let backend: Awaited<ReturnType<typeof demoBackend>>;
let page: Page | undefined;

describe.skipIf(!browserAvailable())('the React app: browsing channels, last seen', () => {
  beforeAll(async () => {
    assertBuilt(DIST);
    [chat, browser] = await Promise.all([startChat({ webRoot: DIST }), launchChromium()]);
    backend = await demoBackend(chat);
  });

  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(async () => {
      const path = `${tmpdir()}/react-chat-browse-${task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`;
      await page?.screenshot({ path }).catch(() => {});
      console.error(`screenshot: ${path}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await chat?.close();
  });

  for (const [device, options] of DEVICES) {
    it(`${device}: lists the public channels not joined, and joins one in a click`, async () => {
      const name = `Town square ${device}`;
      const id = `town-${device}`;
      await backend.call(
        'POST',
        '/v1/channels',
        {
          type: 'livestream',
          id,
          name,
          members: ['alice'],
        },
        'alice',
      );
      // A private conversation of others never shows.
      await backend.call(
        'POST',
        '/v1/channels',
        {
          type: 'messaging',
          id: `private-${device}`,
          name: `Private ${device}`,
          members: ['alice', 'bob'],
        },
        'alice',
      );
      const session = await logIn(browser, chat, 'carol', options);
      page = session.page;
      await page.getByTestId('app-browse').click(WAIT);
      const item = page.getByTestId('chat-browse-item').filter({ hasText: name });
      await item.waitFor(WAIT);
      expect(
        await page
          .getByTestId('chat-browse-item')
          .filter({ hasText: `Private ${device}` })
          .count(),
      ).toBe(0);
      await item.getByRole('button', { name: `Join ${name}` }).click(WAIT);
      await page.getByTestId('chat-channel-header').getByRole('heading', { name }).waitFor(WAIT);
      await send(page, `hello ${device} square`);
      await expect
        .poll(() => messageRow(page!, `hello ${device} square`).getAttribute('data-status'), WAIT)
        .toBe('sent');
      // It is in the list now, and no longer offered.
      if (device === 'phone') await page.getByTestId('chat-channel-header-back').tap(WAIT);
      await page.getByTestId('chat-channel-list-item').filter({ hasText: name }).waitFor(WAIT);
      // Joining closed the panel; opened again, it loads afresh.
      await page.getByTestId('app-browse').click(WAIT);
      await page
        .getByTestId('chat-browse')
        .getByRole('status')
        .filter({ hasText: /can join|No channels/ })
        .waitFor(WAIT);
      expect(await page.getByTestId('chat-browse-item').filter({ hasText: name }).count()).toBe(0);
      await session.context.close();
    });

    it(`${device}: a direct message says whether the other is online, then when they were last seen`, async () => {
      const other = device === 'desktop' ? 'bob' : 'alice';
      const me = device === 'desktop' ? 'dave' : 'carol';
      await backend.call(
        'POST',
        '/v1/channels',
        {
          type: 'messaging',
          members: [me, other],
        },
        other,
      );
      const theirs = await logIn(browser, chat, other, options);
      const mine = await logIn(browser, chat, me, options);
      page = mine.page;
      const dm = page
        .getByTestId('chat-channel-list-item')
        .filter({ hasText: other === 'bob' ? 'Bob' : 'Alice' });
      await dm.first().click(WAIT);
      const line = page.getByTestId('chat-last-seen');
      await expect.poll(() => line.innerText(), WAIT).toBe('Online');
      await theirs.context.close();
      // Offline after the server's grace period: "Last seen this minute".
      await expect
        .poll(() => line.innerText(), { timeout: 30_000 })
        .toMatch(/^Last seen (this minute|1 minute ago)$/);
      await mine.context.close();
    }, 60_000);
  }
});
