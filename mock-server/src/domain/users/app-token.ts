import { ChatError } from '../../kernel/errors';
import type { PlatformDb } from '../../store/data-access';
import type { AppRow } from '../../store/schema';
import { verifyingSecrets } from '../auth/app-secrets';
import { type VerifiedToken, type VerifyOptions, verifyToken } from '../auth/index';
import { INVALID_SIGNATURE } from '../auth/tokens';
import { rereadApp } from './app-lookup';

/**
 * Verifies a chat token of `app` with the secrets it accepts. A signature none of them made may
 * be one of a secret rotated in since this node read the application: it is read again (at most
 * once a second per application) and the token tried with what it holds now, so a backend that
 * rotates its secret can use the new one at once, on every node.
 */
export async function verifyAppToken(
  db: PlatformDb,
  app: AppRow,
  token: string,
  options: VerifyOptions,
): Promise<VerifiedToken> {
  try {
    return await verifyToken(verifyingSecrets(app), token, options);
  } catch (error) {
    if (!(error instanceof ChatError && error.message === INVALID_SIGNATURE)) throw error;
    const fresh = await rereadApp(db, app.api_key);
    if (!fresh || fresh.api_secret === app.api_secret) throw error;
    return verifyToken(verifyingSecrets(fresh), token, options);
  }
}
