import { randomBytes } from 'node:crypto';
import type { PreviousSecret } from '../store/schema';

/**
 * Signing secrets, in Standard Webhooks' format (`whsec_` and base64 of random bytes). During a
 * rotation requests carry a signature per live secret, space-separated in `webhook-signature`,
 * and a receiver accepts the request when any of them verifies with the secret it holds.
 */

/** 32 random bytes. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** Rotated-out secrets kept at most: older ones stop signing at once. */
const MAX_PREVIOUS = 5;

/** The current secret first, then those rotated out that have not expired. */
export function signingSecrets(
  current: string,
  previous: readonly PreviousSecret[],
  now: Date = new Date(),
): string[] {
  return [current, ...live(previous, now).map((entry) => entry.secret)];
}

/** The previous secrets after `current` is rotated out, signing for `ttlSeconds` more. */
export function afterRotation(
  current: string,
  previous: readonly PreviousSecret[],
  ttlSeconds: number,
  now: Date = new Date(),
): PreviousSecret[] {
  const kept = live(previous, now);
  if (ttlSeconds > 0)
    kept.unshift({ secret: current, expires_at: new Date(now.getTime() + ttlSeconds * 1000).toISOString() });
  return kept.slice(0, MAX_PREVIOUS);
}

function live(previous: readonly PreviousSecret[], now: Date): PreviousSecret[] {
  return previous.filter((entry) => Date.parse(entry.expires_at) > now.getTime());
}
