import type { AppBadgeNavigator } from './scope';

/**
 * Shows `count` on the app's icon (`navigator.setAppBadge`), or clears it at 0. Does nothing where
 * the Badging API is missing, and swallows its refusals: the badge is a hint, never a reason for a
 * push to fail. `undefined` leaves the badge as it is.
 */
export async function setAppBadge(navigator: AppBadgeNavigator | undefined, count: number | undefined) {
  if (!navigator || count === undefined) return;
  try {
    if (count > 0) await navigator.setAppBadge?.(count);
    else if (navigator.clearAppBadge) await navigator.clearAppBadge();
    else await navigator.setAppBadge?.(0);
  } catch {
    // Not an installed app, or not allowed: nothing to show it on.
  }
}
