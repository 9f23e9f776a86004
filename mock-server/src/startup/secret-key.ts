import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createSecretBox } from '../push/sealed-secret';
import type { SecretBoxOrReason } from '../push/web-push-config';

/** Characters a `CHAT_SECRET_KEY` has at least. */
export const SECRET_KEY_MIN_LENGTH = 32;

/** The server's own key, or why there is none. */
export type ServerKeyOrReason = { key: string } | { unavailable: string };

/**
 * The server's own key: `CHAT_SECRET_KEY` when set (the same on every node); on the embedded
 * database, a key the server keeps beside it (`<data dir>/secret.key`, made on first start,
 * readable by its owner only), or one per process for an in-memory database; on PostgreSQL
 * without a key, none: what needs it (sealing push credentials, signing portal tokens) then says
 * to set one (a key made here would differ per node and be lost with the process).
 */
export function serverKeyFor(options: {
  secretKey: string | undefined;
  store: 'pglite' | 'postgres';
  /** The embedded database's directory, or `memory` (also for a store opened by the caller). */
  dataDir: string;
}): ServerKeyOrReason {
  if (options.secretKey) return { key: options.secretKey };
  if (options.store === 'postgres')
    return {
      unavailable: 'The server needs its own key on PostgreSQL: set CHAT_SECRET_KEY (the same on every node)',
    };
  if (options.dataDir === 'memory') return { key: randomBytes(32).toString('base64url') };
  const file = join(resolve(options.dataDir), 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(resolve(options.dataDir), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  return { key: readFileSync(file, 'utf8').trim() };
}

/** What seals push credentials at rest: a box keyed by the server's key (see `serverKeyFor`). */
export function secretBoxFor(serverKey: ServerKeyOrReason): SecretBoxOrReason {
  if ('key' in serverKey) return createSecretBox(serverKey.key);
  return {
    unavailable:
      'Push credentials are sealed at rest with the server key: set CHAT_SECRET_KEY (the same on every node)',
  };
}
