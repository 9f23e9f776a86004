import type { PlatformDb } from '../../store/data-access';
import type { AppRow } from '../../store/schema';

/** How long a looked-up application is trusted before it is read again. */
export const APP_CACHE_MS = 5_000;
/** Applications remembered per store at most (the oldest go first). */
const MAX_APPS = 1_000;
/** What an api key can look like: up to 256 printable ASCII characters, no spaces. */
const API_KEY = /^[\x21-\x7e]{1,256}$/;

const caches = new WeakMap<PlatformDb, Map<string, { app: Promise<AppRow | undefined>; until: number }>>();

/**
 * The active application with this api key. Every request and every socket names one, so it is
 * read from the database at most once per `APP_CACHE_MS` per key (a reconnect storm would
 * otherwise read the same row ten thousand times). A deactivated app stops working within that
 * time. Unknown keys are never remembered, so random keys cannot fill the cache.
 */
export function findActiveApp(db: PlatformDb, apiKey: string): Promise<AppRow | undefined> {
  // Keys are minted by the server (base64url) or chosen by an operator; anything else (a NUL,
  // a lone surrogate, 10 KB) names no app, and must not reach the database as a parameter.
  if (!API_KEY.test(apiKey)) return Promise.resolve(undefined);
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  const now = Date.now();
  const hit = cache.get(apiKey);
  if (hit && hit.until > now) return hit.app;
  const app = db
    .selectFrom('applications')
    .selectAll()
    .where('api_key', '=', apiKey)
    .where('is_active', '=', true)
    .executeTakeFirst();
  cache.delete(apiKey);
  cache.set(apiKey, { app, until: now + APP_CACHE_MS });
  if (cache.size > MAX_APPS) cache.delete(cache.keys().next().value as string);
  const entries = cache;
  void app.then(
    (row) => {
      if (!row && entries.get(apiKey)?.app === app) entries.delete(apiKey);
    },
    () => {
      if (entries.get(apiKey)?.app === app) entries.delete(apiKey);
    },
  );
  return app;
}
