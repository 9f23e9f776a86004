import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createSecretBox } from '../push/sealed-secret';
import type { SecretBoxOrReason } from '../push/web-push-config';

/** Characters a `CHAT_SECRET_KEY` has at least. */
export const SECRET_KEY_MIN_LENGTH = 32;

/**
 * What seals push credentials at rest. `CHAT_SECRET_KEY` when set (the same on every node); on
 * the embedded database, a key the server keeps beside it (`<data dir>/secret.key`, made on first
 * start, readable by its owner only), or one per process for an in-memory database; on
 * PostgreSQL without a key, nothing: configuring a push provider then says to set one (a key
 * made here would differ per node and be lost with the process).
 */
export function secretBoxFor(options: {
  secretKey: string | undefined;
  store: 'pglite' | 'postgres';
  /** The embedded database's directory, or `memory` (also for a store opened by the caller). */
  dataDir: string;
}): SecretBoxOrReason {
  if (options.secretKey) return createSecretBox(options.secretKey);
  if (options.store === 'postgres')
    return {
      unavailable:
        'Push credentials are sealed at rest with the server key: set CHAT_SECRET_KEY (the same on every node)',
    };
  if (options.dataDir === 'memory') return createSecretBox(randomBytes(32).toString('base64url'));
  const file = join(resolve(options.dataDir), 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(resolve(options.dataDir), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  return createSecretBox(readFileSync(file, 'utf8').trim());
}
