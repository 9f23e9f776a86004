import {
  assertBuilt,
  type Browser,
  browserAvailable,
  type ChatServer,
  launchChromium,
  type Page,
  startChat,
} from '@chat/browser-e2e';
import { createServerToken } from '@chat/server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST, logIn, openChannel, WAIT } from './harness';

/**
 * A channel of 10,000 messages in Chromium: scrolling up loads older pages until the first
 * message, and each load keeps the messages in view where they were (asserted on the ids in
 * view, not on timings). The list stays virtualized: few rows in the DOM whatever it holds.
 */

const COUNT = 10_000;

let chat: ChatServer;
let browser: Browser;

/** Creates `messaging:long` (alice and bob) and writes COUNT messages straight into the database. */
async function seedLongChannel(server: ChatServer): Promise<void> {
  const app = await server.store.db
    .selectFrom('applications')
    .select(['id', 'api_secret'])
    .where('api_key', '=', 'demo')
    .executeTakeFirstOrThrow();
  const token = await createServerToken(app.api_secret);
  const reply = await fetch(`${server.url}/v1/channels`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-api-key': 'demo' },
    body: JSON.stringify({
      type: 'messaging',
      id: 'long',
      name: 'Long',
      members: ['alice', 'bob'],
      created_by_id: 'bob',
    }),
  });
  if (!reply.ok) throw new Error(`creating the channel failed: ${reply.status} ${await reply.text()}`);
  const channel = await server.store.db
    .selectFrom('channels')
    .select(['id', 'seq'])
    .where('app_id', '=', app.id)
    .where('external_id', '=', 'long')
    .executeTakeFirstOrThrow();
  const bob = await server.store.db
    .selectFrom('app_users')
    .select('id')
    .where('app_id', '=', app.id)
    .where('external_id', '=', 'bob')
    .executeTakeFirstOrThrow();
  const base = Number(channel.seq);
  await sql`
    INSERT INTO messages (app_id, channel_id, app_user_id, seq, text, created_at, updated_at)
    SELECT ${app.id}, ${channel.id}, ${bob.id}, ${base} + n, 'message ' || n,
           now() - make_interval(mins => ${COUNT} - n), now() - make_interval(mins => ${COUNT} - n)
    FROM generate_series(1, ${COUNT}) AS n`.execute(server.store.db);
  await server.store.db
    .updateTable('channels')
    .set({ seq: base + COUNT, last_message_at: sql`now()` })
    .where('id', '=', channel.id)
    .execute();
}

/** The message ids rendered inside the scroller's viewport, top to bottom, with their offsets. */
function visibleRows(page: Page) {
  return page.getByTestId('chat-message-list').evaluate((scroller) => {
    const box = scroller.getBoundingClientRect();
    return [...scroller.querySelectorAll<HTMLElement>('[data-message-id]')]
      .map((row) => ({ id: row.dataset.messageId ?? '', top: row.getBoundingClientRect().top - box.top }))
      .filter((row) => row.top >= 0 && row.top < box.height)
      .sort((a, b) => a.top - b.top);
  });
}

/**
 * Whether the row showing exactly `text` is inside the list's viewport: a row in the DOM may be
 * overscan above the view, or about to be recycled once scrolling settles.
 */
function rowInView(page: Page, text: string) {
  return page.getByTestId('chat-message-list').evaluate((scroller, wanted) => {
    const box = scroller.getBoundingClientRect();
    const row = [...scroller.querySelectorAll<HTMLElement>('[data-message-id]')].find((candidate) =>
      [...candidate.querySelectorAll('*')].some((n) => n.childElementCount === 0 && n.textContent === wanted),
    );
    if (!row) return false;
    const rect = row.getBoundingClientRect();
    return rect.bottom > box.top && rect.top < box.bottom;
  }, text);
}

describe.skipIf(!browserAvailable())('a channel of 10,000 messages', () => {
  beforeAll(async () => {
    assertBuilt(DIST);
    [chat, browser] = await Promise.all([startChat({ webRoot: DIST }), launchChromium()]);
    await seedLongChannel(chat);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await chat?.close();
  });

  it('keeps the messages in view in place while older pages load above them', async () => {
    const { page } = await logIn(browser, chat, 'bob');
    await openChannel(page, 'Long');
    const list = page.getByTestId('chat-message-list');
    await expect.poll(async () => (await visibleRows(page)).length, WAIT).toBeGreaterThan(0);
    expect(await page.getByText('message 10000', { exact: true }).isVisible()).toBe(true);

    // Older pages wait for the test's go, so the view can be read while one is on its way.
    let release: () => void = () => {};
    await page.route(/\/v1\/channels\/[^/]+\/[^/]+\/messages\?/, async (route) => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      await route.continue();
    });

    for (let round = 0; round < 5; round += 1) {
      const heightBefore = await list.evaluate((el) => el.scrollHeight);
      // To the top edge, as a person scrolling up reaches it: that asks for the next older page.
      await list.evaluate((el) => {
        el.scrollTop = 0;
      });
      await page.waitForTimeout(300); // the rows at the top are rendered; the page is held back
      const anchor = (await visibleRows(page))[1];
      if (!anchor) throw new Error('no message in view');
      release();
      await expect.poll(() => list.evaluate((el) => el.scrollHeight), WAIT).toBeGreaterThan(heightBefore);
      await page.waitForTimeout(300); // rows measured, offsets settled
      const after = (await visibleRows(page)).find((row) => row.id === anchor.id);
      expect(after, `message ${anchor.id} left the view when an older page loaded`).toBeDefined();
      expect(Math.abs((after?.top ?? 0) - anchor.top)).toBeLessThanOrEqual(4);
      expect(await list.evaluate((el) => el.querySelectorAll('[data-message-id]').length)).toBeLessThan(150);
      // Scroll down a little, away from the edge, before the next round.
      await list.evaluate((el) => {
        el.scrollTop += 400;
      });
      await page.waitForTimeout(100);
    }
    await page.unroute(/\/v1\/channels\/[^/]+\/[^/]+\/messages\?/);
  });

  it('scrolls all the way up to the first message, with few rows in the DOM', async () => {
    const { page } = await logIn(browser, chat, 'alice');
    await openChannel(page, 'Long');
    const list = page.getByTestId('chat-message-list');
    await expect.poll(async () => (await visibleRows(page)).length, WAIT).toBeGreaterThan(0);
    await list.hover();
    // Until the first message is in view, not merely in the DOM (which overscan reaches first).
    for (let step = 0; step < 2_000 && !(await rowInView(page, 'message 1')); step += 1) {
      await page.mouse.wheel(0, -3_000);
      await page.waitForTimeout(30);
      if (step % 20 === 0) {
        expect(await list.evaluate((el) => el.querySelectorAll('[data-message-id]').length)).toBeLessThan(
          150,
        );
      }
    }
    await expect.poll(() => rowInView(page, 'message 1'), WAIT).toBe(true);
  }, 300_000);
});
