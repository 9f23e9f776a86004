import type { Page } from 'playwright-core';

export const DEMO_PASSWORD = 'chat-demo';

/** Long enough for a loaded 2-core machine; a real failure still shows within a test's timeout. */
export const WAIT = { timeout: 15_000 };

/** Logs in through an example's login form (the same labels in every example). */
export async function logIn(page: Page, username: string, password = DEMO_PASSWORD): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
}
