import { ChatError } from '../../kernel/errors';
import type { PlatformDb } from '../../store/data-access';
import type { AppRow } from '../../store/schema';
import { useAppPermissions } from '../channels/permissions';

/** How long a looked-up application is trusted before it is read again. */
export const APP_CACHE_MS = 5_000;
/** Applications remembered per store at most (the oldest go first). */
const MAX_APPS = 1_000;
/** What an api key can look like: up to 256 printable ASCII characters, no spaces. */
const API_KEY = /^[\x21-\x7e]{1,256}$/;
/** The soonest an application is read again because a token did not verify with its secrets. */
const REREAD_MIN_MS = 1_000;

interface Entry {
  app: Promise<AppRow | undefined>;
  until: number;
  readAt: number;
}

const caches = new WeakMap<PlatformDb, Map<string, Entry>>();

function cacheOf(db: PlatformDb): Map<string, Entry> {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  return cache;
}

/**
 * The application with this api key, disabled ones included (their callers are told so: see
 * `requireEnabled`), deleted ones never. Every request and every socket names one, so it is
 * read from the database at most once per `APP_CACHE_MS` per key (a reconnect storm would
 * otherwise read the same row ten thousand times): a change made on another node (disabled,
 * deleted) takes effect here within that time; one made on this node, at once (`forgetApp`).
 * Unknown keys are never remembered, so random keys cannot fill the cache.
 */
export function findApp(db: PlatformDb, apiKey: string): Promise<AppRow | undefined> {
  // Keys are minted by the server (base64url) or chosen by an operator; anything else (a NUL,
  // a lone surrogate, 10 KB) names no app, and must not reach the database as a parameter.
  if (!API_KEY.test(apiKey)) return Promise.resolve(undefined);
  const hit = cacheOf(db).get(apiKey);
  if (hit && hit.until > Date.now()) return hit.app;
  return read(db, apiKey);
}

/**
 * The application read again, when its remembered row is older than `REREAD_MIN_MS`: a token
 * that does not verify may be signed with a secret rotated in since (on any node). Bounded per
 * key, so tokens with bad signatures cannot turn into a database read each.
 */
export function rereadApp(db: PlatformDb, apiKey: string): Promise<AppRow | undefined> {
  const hit = cacheOf(db).get(apiKey);
  if (hit && Date.now() - hit.readAt < REREAD_MIN_MS) return hit.app;
  return read(db, apiKey);
}

/** Drops what this node remembers of an application (after this node changed it). */
export function forgetApp(db: PlatformDb, apiKey: string): void {
  cacheOf(db).delete(apiKey);
}

function read(db: PlatformDb, apiKey: string): Promise<AppRow | undefined> {
  const cache = cacheOf(db);
  const now = Date.now();
  const app = db
    .selectFrom('applications')
    .selectAll()
    .where('api_key', '=', apiKey)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  cache.delete(apiKey);
  cache.set(apiKey, { app, until: now + APP_CACHE_MS, readAt: now });
  if (cache.size > MAX_APPS) cache.delete(cache.keys().next().value as string);
  const forgetUnlessFound = (row?: AppRow) => {
    // Each read brings the app's permission table up to date on this node, whatever reads it.
    if (row) useAppPermissions(row.id, row.channel_permissions);
    else if (cache.get(apiKey)?.app === app) cache.delete(apiKey);
  };
  void app.then(forgetUnlessFound, () => forgetUnlessFound());
  return app;
}

/** Refuses an application its team disabled, with the error that says so. */
export function requireEnabled(app: AppRow): void {
  if (!app.is_active) {
    throw new ChatError('app_disabled', 'This application is disabled; its team can enable it in the portal');
  }
}
