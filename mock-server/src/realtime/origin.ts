const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Browsers send `Origin` on WebSocket upgrades; other clients do not, and are allowed. A browser
 * origin must be one of the app's allowed origins; outside production, localhost always is.
 */
export function originAllowed(origin: string | undefined, allowed: string[], production: boolean): boolean {
  if (!origin) return true;
  if (allowed.includes(origin) || allowed.includes('*')) return true;
  if (production) return false;
  try {
    return LOCAL_HOSTS.has(new URL(origin).hostname);
  } catch {
    return false;
  }
}
