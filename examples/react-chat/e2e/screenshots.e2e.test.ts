import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
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
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DIST, logIn, messageRow, PHONE, WAIT } from './harness';

/**
 * The UI kit README's screenshots: the main screens of this app at 1280×800 and 390×844, light
 * and dark. Not a test: run `npm run screenshots -w @chat/example-react-chat` after a UI change
 * (it writes packages/ui-react/docs/screenshots/*.png).
 */
const OUT = resolve(import.meta.dirname, '../../../packages/ui-react/docs/screenshots');
const enabled = process.env.CHAT_SCREENSHOTS === '1';

let chat: ChatServer;
let browser: Browser;

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `${OUT}/${name}.png`, animations: 'disabled' });

describe.skipIf(!enabled || !browserAvailable())('screenshots for the UI kit README', () => {
  beforeAll(async () => {
    assertBuilt(DIST);
    mkdirSync(OUT, { recursive: true });
    [chat, browser] = await Promise.all([startChat({ webRoot: DIST }), launchChromium()]);
    const backend = await demoBackend(chat);
    const say = (user: string, text: string, extra: Record<string, unknown> = {}) =>
      backend.call<{ message: { id: string } }>('POST', '/v1/channels/team/general/messages', {
        text,
        user_id: user,
        client_msg_id: crypto.randomUUID(),
        ...extra,
      });
    await say('alice', 'Morning all! Standup notes are in the doc 📝');
    const plan = await say('bob', 'Thanks! I will take the **login page** today, then the `search` bug.');
    await say('carol', 'Sounds good. See www.example.com for the mockups.');
    await say('alice', 'Nice — ship it 🚀', { quoted_message_id: plan.message.id });
    await backend.call('POST', `/v1/messages/${plan.message.id}/reactions`, { type: '👍' }, 'carol');
    await backend.call(
      'POST',
      '/v1/channels',
      {
        type: 'messaging',
        members: ['dave', 'alice'],
      },
      'alice',
    );
  });

  afterAll(async () => {
    await browser?.close();
    await chat?.close();
  });

  for (const [size, options] of [
    ['desktop', { viewport: { width: 1280, height: 800 } }],
    ['phone', PHONE],
  ] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      it(`${size} ${scheme}`, async () => {
        const { context, page } = await logIn(browser, chat, 'dave', { ...options, colorScheme: scheme });
        await page.getByTestId('chat-channel-list-item').first().waitFor(WAIT);
        if (size === 'phone') await shot(page, `${size}-${scheme}-channels`);
        await page.getByTestId('chat-channel-list-item').filter({ hasText: 'General' }).first().click(WAIT);
        await messageRow(page, 'Nice — ship it 🚀').waitFor(WAIT);
        // No message under the pointer (its hover actions would show).
        await page.mouse.move(0, 0);
        await shot(page, `${size}-${scheme}-channel`);
        await context.close();
      });
    }
  }
});
