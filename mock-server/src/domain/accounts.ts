import type { LoginBody, RegisterBody, TokenResponse } from '@chat/protocol';
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
} from '../auth';
import type { AppRow, AppUserRow } from '../store/schema';
import type { Db } from './actor';
import { ChatError } from './errors';
import { toUser } from './views';

/**
 * Password accounts owned by the server (seed §3): register, log in, rotate refresh tokens,
 * log out. Login attempts are limited per account and per client address.
 */
export class Accounts {
  private readonly perAccount: RateLimiter;
  private readonly perAddress: RateLimiter;

  constructor(private readonly db: Db) {
    this.perAccount = createRateLimiter({ limit: 10, windowMs: 15 * 60_000 });
    this.perAddress = createRateLimiter({ limit: 50, windowMs: 15 * 60_000 });
  }

  async register(app: AppRow, body: RegisterBody): Promise<TokenResponse> {
    if (!app.allow_registration) {
      throw new ChatError('registration_closed', 'This application does not allow self-registration');
    }
    const passwordHash = await hashPassword(body.password);
    const row = await this.db
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
    this.limit(this.perAddress, `${app.id}|${address}`);
    this.limit(this.perAccount, `${app.id}|${body.username}`);
    const row = await this.db
      .selectFrom('app_users')
      .selectAll()
      .where('app_id', '=', app.id)
      .where('external_id', '=', body.username)
      .executeTakeFirst();
    // An unknown user costs the same time as a wrong password: no enumeration by timing.
    const ok = row?.password_hash
      ? await verifyPassword(body.password, row.password_hash)
      : await dummyVerifyPassword(body.password);
    if (!row || !ok) throw new ChatError('invalid_credentials', 'Wrong username or password');
    return this.issue(app, row);
  }

  async refresh(app: AppRow, refreshToken: string): Promise<TokenResponse> {
    const rotated = await rotateRefreshToken(this.db, { appId: app.id, token: refreshToken });
    const row = await this.db
      .selectFrom('app_users')
      .selectAll()
      .where('app_id', '=', app.id)
      .where('id', '=', rotated.appUserId)
      .executeTakeFirstOrThrow();
    return {
      access_token: await createAccessToken(app.api_secret, row.external_id),
      refresh_token: rotated.token,
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
      user: toUser(row),
    };
  }

  async logout(app: AppRow, refreshToken: string): Promise<void> {
    await revokeRefreshToken(this.db, { appId: app.id, token: refreshToken });
  }

  private async issue(app: AppRow, row: AppUserRow): Promise<TokenResponse> {
    const refresh = await issueRefreshToken(this.db, { appId: app.id, appUserId: row.id });
    return {
      access_token: await createAccessToken(app.api_secret, row.external_id),
      refresh_token: refresh.token,
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
      user: toUser(row),
    };
  }

  private limit(limiter: RateLimiter, key: string): void {
    const result = limiter.take(key);
    if (!result.ok) {
      throw new ChatError('rate_limited', 'Too many login attempts; try again later', {
        retry_after_ms: result.retryAfterMs,
      });
    }
  }
}
