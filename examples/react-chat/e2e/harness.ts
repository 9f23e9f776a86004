import { resolve } from 'node:path';
import {
  type Browser,
  type ChatServer,
  logIn as logInForm,
  openPage,
  type Page,
  WAIT,
} from '@chat/browser-e2e';

/** The built app (turbo runs `build` before `test`); the server serves it on its own origin. */
export const DIST = resolve(import.meta.dirname, '../dist');
export { WAIT };

/** A phone's screen: 390×844 CSS pixels, touch. */
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
/** A laptop's window: 1280×800. */
export const DESKTOP = { viewport: { width: 1280, height: 800 } };
/** The two sizes every first-impression check runs at. */
export const DEVICES = [
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const;

/** A person in their own browser (context), logged in; `device`: the context's options (`PHONE`). */
export async function logIn(
  browser: Browser,
  chat: ChatServer,
  username: string,
  device: Parameters<typeof openPage>[2] = {},
) {
  const { context, page } = await openPage(browser, chat.url, device);
  await logInForm(page, username);
  await page.getByTestId('chat-channel-list').waitFor(WAIT);
  return { context, page };
}

/** Opens a channel from the list by its shown name. */
export async function openChannel(page: Page, name: string) {
  await page.getByTestId('chat-channel-list-item').filter({ hasText: name }).first().click(WAIT);
  await page.getByTestId('chat-channel-header').getByRole('heading', { name }).waitFor(WAIT);
}

/** The text of every message row rendered now, in order. */
export function messageTexts(page: Page): Promise<string[]> {
  return page.getByTestId('chat-message-text').allInnerTexts();
}

export async function send(page: Page, text: string) {
  const input = page.getByTestId('chat-message-input');
  await input.fill(text);
  await input.press('Enter');
}

/** The message row showing `text`. */
export const messageRow = (page: Page, text: string) =>
  page
    .getByTestId('chat-message')
    .filter({ has: page.getByTestId('chat-message-text').getByText(text, { exact: true }) });
