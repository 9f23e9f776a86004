import type { AppRow } from '../../store/schema';

type AppSecrets = Pick<AppRow, 'api_secret' | 'previous_api_secret' | 'previous_secret_expires_at'>;

/**
 * The secrets whose signatures an application accepts now: its secret and, until the grace
 * window of its last rotation ends, the one before. Tokens are only ever signed with the first.
 */
export function verifyingSecrets(app: AppSecrets, now: number = Date.now()): string[] {
  const previousLives =
    app.previous_api_secret !== null &&
    app.previous_secret_expires_at !== null &&
    new Date(app.previous_secret_expires_at).getTime() > now;
  return previousLives ? [app.api_secret, app.previous_api_secret!] : [app.api_secret];
}
