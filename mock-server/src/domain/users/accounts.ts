import type { LoginBody, RegisterBody, TokenResponse } from '@chat/protocol';
import { ChatError } from '../../kernel/errors';
import type { DataAccess } from '../../store/data-access';
import type { AppRow, AppUserRow } from '../../store/schema';
import { createDeviceToken, verifyDeviceToken } from '../auth/device-tokens';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  createAccessToken,
  createRateLimiter,
  dummyVerifyPassword,
  hashPassword,
  issueRefreshToken,
  type RateLimiter,
  revokeRefreshToken,
  rotateRefreshToken,
  verifyPassword,
} from '../auth/index';
import { requireNotAppBanned } from '../moderation/user-restrictions';
import { toUser } from '../views';

export interface AccountLimits {
  /** Sign-ups per client address per hour. */
  registrationsPerIpPerHour: number;
  /** Sign-ups per application per hour. */
  registrationsPerAppPerHour: number;
}

const HOUR_MS = 3600_000;
const LOGIN_WINDOW_MS = 15 * 60_000;

/**
 * Password accounts owned by the server (seed §3): register, log in, rotate refresh tokens,
 * log out.
 *
 * Every sign-up and login costs a 32 MiB password hash, so both are metered. Sign-ups per client
 * address and per application. Logins per client address (attempts), and per account (failures
 * only): from a device that logged in as the user before (its `device_token`), failures count
 * against that device alone, so someone guessing the password elsewhere is slowed down without
 * ever locking the real user out of their own devices. The limits are kept per node.
 */
export class Accounts {
  private readonly perAccount: RateLimiter;
  private readonly perAddress: RateLimiter;
  private readonly signUpsPerAddress: RateLimiter;
  private readonly signUpsPerApp: RateLimiter;

  constructor(
    private readonly data: DataAccess,
    limits: AccountLimits,
  ) {
    this.perAccount = createRateLimiter({ limit: 10, windowMs: LOGIN_WINDOW_MS });
    this.perAddress = createRateLimiter({ limit: 50, windowMs: LOGIN_WINDOW_MS });
    this.signUpsPerAddress = createRateLimiter({
      limit: limits.registrationsPerIpPerHour,
      windowMs: HOUR_MS,
    });
    this.signUpsPerApp = createRateLimiter({ limit: limits.registrationsPerAppPerHour, windowMs: HOUR_MS });
  }

  async register(app: AppRow, body: RegisterBody, address: string): Promise<TokenResponse> {
    if (!app.allow_registration) {
      throw new ChatError('registration_closed', 'This application does not allow self-registration');
    }
    // The address first: one busy address must not use up the app's sign-ups for everyone.
    const addressKey = `${app.id}|${address}`;
    this.limit(this.signUpsPerAddress, addressKey, 'Too many sign-ups from this address; try again later');
    try {
      this.limit(this.signUpsPerApp, app.id, 'Too many sign-ups right now; try again later');
    } catch (error) {
      this.signUpsPerAddress.refund(addressKey);
      throw error;
    }
    const passwordHash = await hashPassword(body.password);
    const row = await this.data
      .forApp(app.id)
      .insertInto('app_users')
      .values({
        app_id: app.id,
        external_id: body.username,
        username: body.username,
        display_name: body.name ?? body.username,
        password_hash: passwordHash,
        custom: '{}',
      })
      .onConflict((oc) => oc.columns(['app_id', 'external_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new ChatError('conflict', 'This username is taken');
    return this.issue(app, row);
  }

  async login(app: AppRow, body: LoginBody, address: string): Promise<TokenResponse> {
    const device = body.device_token
      ? await verifyDeviceToken(app.api_secret, body.username, body.device_token)
      : null;
    const addressKey = `${app.id}|${address}`;
    const accountKey = device ? `${app.id}|${body.username}|device ${device}` : `${app.id}|${body.username}`;
    this.limit(this.perAddress, addressKey, LOGIN_LIMITED);
    try {
      this.limit(this.perAccount, accountKey, LOGIN_LIMITED);
    } catch (error) {
      this.perAddress.refund(addressKey);
      throw error;
    }
    const row = await this.data
      .forApp(app.id)
      .selectFrom('app_users')
      .selectAll()
      .where('external_id', '=', body.username)
      .executeTakeFirst();
    // An unknown user costs the same time as a wrong password: no enumeration by timing.
    const ok = row?.password_hash
      ? await verifyPassword(body.password, row.password_hash)
      : await dummyVerifyPassword(body.password);
    if (!row || !ok) throw new ChatError('invalid_credentials', 'Wrong username or password');
    // Only failures count: users behind one address, and a user logging in often, are not slowed.
    this.perAddress.refund(addressKey);
    this.perAccount.refund(accountKey);
    // Told only to whoever knows the password.
    requireNotAppBanned(row);
    return this.issue(app, row, device ?? undefined);
  }

  async refresh(app: AppRow, refreshToken: string): Promise<TokenResponse> {
    const rotated = await rotateRefreshToken(this.data.forApp(app.id), {
      appId: app.id,
      token: refreshToken,
    });
    const row = await this.data
      .forApp(app.id)
      .selectFrom('app_users')
      .selectAll()
      .where('id', '=', rotated.appUserId)
      .executeTakeFirstOrThrow();
    // A banned user's session ends here (the token just rotated is never handed out).
    requireNotAppBanned(row);
    return {
      access_token: await createAccessToken(app.api_secret, row.external_id),
      refresh_token: rotated.token,
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
      user: toUser(row),
    };
  }

  async logout(app: AppRow, refreshToken: string): Promise<void> {
    await revokeRefreshToken(this.data.forApp(app.id), { appId: app.id, token: refreshToken });
  }

  private async issue(app: AppRow, row: AppUserRow, deviceId?: string): Promise<TokenResponse> {
    const refresh = await issueRefreshToken(this.data.forApp(app.id), { appId: app.id, appUserId: row.id });
    return {
      access_token: await createAccessToken(app.api_secret, row.external_id),
      refresh_token: refresh.token,
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
      user: toUser(row),
      device_token: await createDeviceToken(app.api_secret, row.external_id, deviceId),
    };
  }

  private limit(limiter: RateLimiter, key: string, message: string): void {
    const result = limiter.take(key);
    if (!result.ok) throw new ChatError('rate_limited', message, { retry_after_ms: result.retryAfterMs });
  }
}

const LOGIN_LIMITED = 'Too many login attempts; try again later';
