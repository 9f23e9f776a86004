import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  type Browser,
  type BrowserContext,
  browserAvailable,
  launchChromium,
  type Page,
} from '@chat/browser-e2e';
import type { CDPSession } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `@chat/core/service-worker` in Debian's Chromium: the built bundle (dist/service-worker.js, as
 * an app ships it) runs in a real service worker registered by a page served from 127.0.0.1 (a
 * secure context). The browser's push service is out of reach here, so pushes are delivered
 * through the DevTools protocol (`ServiceWorker.deliverPushMessage`, which runs the worker's
 * `push` listener with the given data); the test worker tells the page when the work of each push
 * is settled, and only then are notifications read back with `registration.getNotifications()`.
 * A click cannot be made on a notification from a test, so the
 * test worker (push-site/sw.js) runs the module's `openChatNotification` (what its
 * `notificationclick` listener runs) on a real Notification when the page asks.
 */

const DIST = resolve(import.meta.dirname, '../../dist/service-worker.js');
const SITE = resolve(import.meta.dirname, 'push-site');
const WAIT = { timeout: 15_000 };

const FILES: Record<string, [path: string, type: string]> = {
  '/': [resolve(SITE, 'index.html'), 'text/html; charset=utf-8'],
  '/page.js': [resolve(SITE, 'page.js'), 'text/javascript'],
  '/sw.js': [resolve(SITE, 'sw.js'), 'text/javascript'],
  '/service-worker.js': [DIST, 'text/javascript'],
  '/service-worker.js.map': [`${DIST}.map`, 'application/json'],
};

interface Shown {
  title: string;
  body: string;
  tag: string;
  icon: string;
  renotify: boolean;
  data: unknown;
}

/** What push-site/page.js puts on `window` for the test. */
interface TestPage {
  chatTest: {
    opened: unknown[];
    settled: { n: number; waited: string[] }[];
    notifications(): Promise<Shown[]>;
    report(cid: string | null): Promise<void>;
    click(tag: string): void;
    probe(): Promise<{ url: string; focused: boolean; visibilityState: string }[]>;
  };
}

describe.skipIf(!browserAvailable())('the service worker module in Chromium', { timeout: 30_000 }, () => {
  let server: Server;
  let origin: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let registrationId: string;

  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: build @chat/core first (npm run build)`);
    server = createServer((request, response) => {
      const file = FILES[new URL(request.url ?? '/', 'http://x').pathname];
      if (!file) return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': file[1], 'cache-control': 'no-store' });
      response.end(readFileSync(file[0]));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    browser = await launchChromium();
    context = await browser.newContext();
    await context.grantPermissions(['notifications'], { origin });
    page = await context.newPage();
    page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));

    // The worker's registration id, which deliverPushMessage needs, comes in these events.
    cdp = await context.newCDPSession(page);
    const registered = new Promise<string>((found) =>
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const ours = registrations.find((r) => r.scopeURL === `${origin}/` && !r.isDeleted);
        if (ours) found(ours.registrationId);
      }),
    );
    await cdp.send('ServiceWorker.enable');
    await page.goto(`${origin}/`);
    await page.waitForSelector('body[data-ready="true"]', WAIT);
    registrationId = await registered;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => server?.close(done));
  });

  /** Runs `run` in the page on its test functions (`run` is sent as source: no closure). */
  const app = <T>(run: (test: TestPage['chatTest']) => T | Promise<T>): Promise<T> =>
    page.evaluate(`(${run})(window.chatTest)`) as Promise<T>;

  let pushes = 0;
  /**
   * Delivers a push to the worker and waits until it is settled; resolves with how the promises
   * handleChatPush kept the event alive for ended (none for a push that is not the chat's).
   */
  async function push(payload: unknown): Promise<string[]> {
    const data = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const n = ++pushes;
    await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId, data });
    await page.waitForFunction((n) => (window as unknown as TestPage).chatTest.settled.length >= n, n, WAIT);
    const settled = await app((test) => test.settled);
    expect(settled.map((s) => s.n)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    return settled[n - 1]!.waited;
  }

  /** The notifications shown, by tag (read once nothing is being shown: see push-site/sw.js). */
  async function shown(): Promise<Record<string, Shown>> {
    const notifications = await app((test) => test.notifications());
    return Object.fromEntries(notifications.map((n) => [n.tag, n]));
  }

  it('is a self-contained, small bundle (no import an app’s bundler would need to resolve)', () => {
    const code = readFileSync(DIST, 'utf8');
    expect(code).not.toMatch(/^\s*import\s/m);
    expect(code).not.toMatch(/\bzod\b/);
    const gzipped = gzipSync(code, { level: 9 }).byteLength;
    console.log(`dist/service-worker.js: ${code.length} B, ${gzipped} B gzipped (not minified)`);
    expect(gzipped).toBeLessThan(4 * 1024);
  });

  it('shows a message.new push as a notification tagged by channel, with its data', async () => {
    expect(await page.evaluate(() => Notification.permission)).toBe('granted');
    const waited = await push({
      type: 'message.new',
      cid: 'team:general',
      message_id: 'm1',
      sender_id: 'bob',
      title: 'bob in #general',
      body: 'lunch?',
      badge: 1,
      tag: 'team:general',
    });
    expect(waited).toEqual(['fulfilled']);
    const notifications = await shown();
    expect(Object.keys(notifications)).toEqual(['team:general']);
    expect(notifications['team:general']).toEqual({
      title: 'bob in #general',
      body: 'lunch?',
      tag: 'team:general',
      icon: `${origin}/icon.png`,
      renotify: true,
      data: { cid: 'team:general', message_id: 'm1', url: `${origin}/?channel=team%3Ageneral` },
    });
  });

  it('replaces the channel’s notification, falls back in privacy mode, ignores foreign and broken pushes', async () => {
    // Broken JSON, and the app's own push: left alone (no waitUntil), the worker goes on.
    expect(await push('{"type":"message.new",')).toEqual([]);
    expect(await push({ title: 'Sale', body: '50% off' })).toEqual([]);
    // Privacy mode: no title, no body.
    const privacy = {
      type: 'message.new',
      cid: 'team:general',
      message_id: 'm2',
      sender_id: 'bob',
      badge: 2,
    };
    expect(await push({ ...privacy, tag: 'team:general' })).toEqual(['fulfilled']);
    expect(
      await push({
        type: 'message.new',
        cid: 'team:random',
        message_id: 'r1',
        sender_id: 'carol',
        title: 'carol in #random',
        body: 'hi',
        badge: 3,
        tag: 'team:random',
      }),
    ).toEqual(['fulfilled']);
    const notifications = await shown();
    expect(Object.keys(notifications).sort()).toEqual(['team:general', 'team:random']);
    expect(notifications['team:general']).toMatchObject({
      title: 'New message',
      body: '',
      data: { message_id: 'm2' },
    });
  });

  it('closes the channel’s notifications on a message.read push, and only those', async () => {
    expect(await push({ type: 'message.read', cid: 'team:general', badge: 1, tag: 'team:general' })).toEqual([
      'fulfilled',
    ]);
    expect(Object.keys(await shown())).toEqual(['team:random']);
  });

  it('on a click, posts chat.open-channel to the app’s window', async () => {
    await app((test) => test.click('team:random'));
    await expect
      .poll(() => app((test) => test.opened), WAIT)
      .toEqual([{ type: 'chat.open-channel', cid: 'team:random', message_id: 'r1' }]);
    expect(await shown()).toEqual({}); // the click closed it
  });

  it('shows nothing for the channel a focused, visible window reports', async () => {
    await page.bringToFront();
    await app((test) => test.report('team:design'));
    // The probe's message follows the report's: once answered, the worker has the report.
    expect(await app((test) => test.probe())).toEqual([
      { url: `${origin}/`, focused: true, visibilityState: 'visible' },
    ]);
    const message = (cid: string, id: string) => ({
      type: 'message.new',
      cid,
      message_id: id,
      sender_id: 'bob',
      title: `bob in ${cid}`,
      body: id,
      badge: 4,
      tag: cid,
    });
    expect(await push(message('team:design', 'd1'))).toEqual(['fulfilled']);
    expect(await push(message('team:support', 's1'))).toEqual(['fulfilled']);
    expect(Object.keys(await shown())).toEqual(['team:support']);

    await app((test) => test.report(null));
    await app((test) => test.probe());
    await push(message('team:design', 'd2'));
    const notifications = await shown();
    expect(Object.keys(notifications).sort()).toEqual(['team:design', 'team:support']);
    expect(notifications['team:design']?.body).toBe('d2');
  });
});
