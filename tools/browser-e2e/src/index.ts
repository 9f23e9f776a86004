import { existsSync } from 'node:fs';
import { type ChatServer, createChatServer } from '@chat/server';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * Browser end-to-end tests of the example apps: the reference server (demo seed: users alice,
 * bob, carol, dave with password `chat-demo`, api key `demo`, channel team:general) serving a
 * built app from the same origin, and Debian's Chromium driven by playwright-core.
 */

export {
  AXE_SIZES,
  AXE_TAGS,
  type AxeOptions,
  axeChecks,
  axeViolations,
  expectNoAxeViolations,
  formatAxeViolations,
} from './axe';
export { DEMO_PASSWORD, logIn, WAIT } from './pages';

/** Where Debian's Chromium lives; `.ci/run` installs it (`apt-get install -y chromium`). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that work on this sandboxed, offline machine (no GPU, no outside network). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The reference server on a free port of 127.0.0.1, in memory, serving `webRoot` at `/`. */
export async function startChat(options: { webRoot: string }): Promise<ChatServer> {
  return createChatServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: 'memory',
    seedDemo: true,
    logLevel: 'silent',
    webRoot: options.webRoot,
  });
}

/**
 * Launches Chromium. In CI a missing Chromium fails the suite; elsewhere `browserAvailable()`
 * lets a suite skip with a message instead.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS, headless: true });
}

/** Whether browser tests can run here; CI (CI=true) must always have Chromium. */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI) throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: .ci/run installs it`);
  console.warn(`Browser tests skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`);
  return false;
}

/** A fresh browser context (its own storage, like another person's browser) with one page. */
export async function openPage(
  browser: Browser,
  url: string,
  /** The context's options: a phone's viewport, touch, … (desktop 1280×720 by default). */
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  await page.goto(url);
  return { context, page };
}

/** Whether the built app at `dir` exists (turbo builds it before tests). */
export function assertBuilt(dir: string): void {
  if (!existsSync(dir)) throw new Error(`${dir} is missing: build the app first (npm run build)`);
}

export type { Browser, BrowserContext, ChatServer, Page };
