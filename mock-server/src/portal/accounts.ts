import type {
  ChangePasswordBody,
  Customer,
  PortalLoginBody,
  PortalTokenResponse,
  SignUpBody,
  UpdateCustomerBody,
} from '@chat/protocol';
import {
  createRateLimiter,
  dummyVerifyPassword,
  hashPassword,
  type RateLimiter,
  verifyPassword,
} from '../domain/auth/index';
import { ChatError } from '../kernel/errors';
import type { PlatformDb } from '../store/data-access';
import type { PortalActor } from './portal-actor';
import { PORTAL_ACCESS_TOKEN_TTL_SECONDS, type PortalTokens } from './portal-tokens';
import {
  endOtherSessions,
  endSession,
  liveSessionEmail,
  rotateSession,
  type SessionToken,
  startSession,
} from './sessions';

const HOUR_MS = 3600_000;
const LOGIN_WINDOW_MS = 15 * 60_000;

/** Where a request came from: what sessions are listed with, and what sign-ups are counted by. */
export interface RequestOrigin {
  ip: string;
  userAgent: string | null;
}

/**
 * Customer accounts: sign up, log in, refresh, log out, change password, and the check every
 * portal request makes. Password hashing and refresh-token rotation are the app users' own
 * (domain/auth); the limits are kept per node, as theirs are: sign-ups per address, login
 * attempts per address, failures per account.
 */
export class PortalAccounts {
  private readonly signUpsPerAddress: RateLimiter;
  private readonly loginsPerAddress = createRateLimiter({ limit: 50, windowMs: LOGIN_WINDOW_MS });
  private readonly failuresPerAccount = createRateLimiter({ limit: 10, windowMs: LOGIN_WINDOW_MS });

  constructor(
    private readonly db: PlatformDb,
    private readonly tokens: PortalTokens,
    limits: { signUpsPerAddressPerHour: number },
  ) {
    this.signUpsPerAddress = createRateLimiter({ limit: limits.signUpsPerAddressPerHour, windowMs: HOUR_MS });
  }

  async signUp(body: SignUpBody, origin: RequestOrigin): Promise<PortalTokenResponse> {
    limit(this.signUpsPerAddress, origin.ip, 'Too many sign-ups from this address; try again later');
    const passwordHash = await hashPassword(body.password);
    const row = await this.db
      .insertInto('customer_users')
      .values({ email: body.email, password_hash: passwordHash, display_name: body.display_name ?? null })
      // Emails arrive lower-cased; the unique index on lower(email) also holds rows made otherwise.
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new ChatError('conflict', 'An account with this email exists; log in instead');
    return this.issue(await startSession(this.db, row.id, origin), toCustomer(row));
  }

  async login(body: PortalLoginBody, origin: RequestOrigin): Promise<PortalTokenResponse> {
    limit(this.loginsPerAddress, origin.ip, 'Too many login attempts from this address; try again later');
    limit(this.failuresPerAccount, body.email, 'Too many failed logins for this account; try again later');
    const row = await this.db
      .selectFrom('customer_users')
      .selectAll()
      .where((eb) => eb(eb.fn('lower', ['email']), '=', body.email))
      .executeTakeFirst();
    // The same work whether or not the account exists: the answer's timing names no email.
    const valid = row
      ? await verifyPassword(body.password, row.password_hash)
      : await dummyVerifyPassword(body.password);
    if (!row || !valid || !row.is_active) {
      throw new ChatError('invalid_credentials', 'Wrong email or password');
    }
    this.failuresPerAccount.reset(body.email);
    return this.issue(await startSession(this.db, row.id, origin), toCustomer(row));
  }

  async refresh(refreshToken: string): Promise<PortalTokenResponse> {
    const session = await rotateSession(this.db, refreshToken);
    const row = await this.db
      .selectFrom('customer_users')
      .selectAll()
      .where('id', '=', session.customerId)
      .where('is_active', '=', true)
      .executeTakeFirst();
    if (!row) throw new ChatError('unauthenticated', 'The account is closed');
    return this.issue(session, toCustomer(row));
  }

  /** The customer a bearer token speaks for, in a session that is still live. */
  async authenticate(authorization: string | undefined): Promise<PortalActor> {
    const match = typeof authorization === 'string' ? /^Bearer (\S+)$/i.exec(authorization) : null;
    if (!match) throw new ChatError('unauthenticated', 'Missing token: send Authorization: Bearer <token>');
    const claims = await this.tokens.verify(match[1]!);
    const email = await liveSessionEmail(this.db, claims.customerId, claims.sessionId);
    if (email === undefined) throw new ChatError('unauthenticated', 'The session has ended; log in again');
    return { ...claims, email };
  }

  async logout(actor: PortalActor): Promise<{ ok: true }> {
    await endSession(this.db, actor.customerId, actor.sessionId);
    return { ok: true };
  }

  async me(actor: PortalActor): Promise<Customer> {
    return toCustomer(await this.row(actor.customerId));
  }

  async update(actor: PortalActor, body: UpdateCustomerBody): Promise<Customer> {
    const row = await this.db
      .updateTable('customer_users')
      .set({ ...body, updated_at: new Date() })
      .where('id', '=', actor.customerId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCustomer(row);
  }

  /** Needs the current password; every other session ends (a changed password locks out a thief). */
  async changePassword(actor: PortalActor, body: ChangePasswordBody): Promise<{ ok: true }> {
    limit(this.failuresPerAccount, actor.email, 'Too many failed attempts; try again later');
    const row = await this.row(actor.customerId);
    if (!(await verifyPassword(body.current_password, row.password_hash))) {
      throw new ChatError('invalid_credentials', 'The current password is wrong');
    }
    this.failuresPerAccount.reset(actor.email);
    await this.db
      .updateTable('customer_users')
      .set({ password_hash: await hashPassword(body.new_password), updated_at: new Date() })
      .where('id', '=', actor.customerId)
      .execute();
    await endOtherSessions(this.db, actor.customerId, actor.sessionId);
    return { ok: true };
  }

  private async row(customerId: string) {
    return this.db
      .selectFrom('customer_users')
      .selectAll()
      .where('id', '=', customerId)
      .executeTakeFirstOrThrow();
  }

  private async issue(session: SessionToken, customer: Customer): Promise<PortalTokenResponse> {
    return {
      access_token: await this.tokens.sign({ customerId: session.customerId, sessionId: session.sessionId }),
      refresh_token: session.token,
      expires_in: PORTAL_ACCESS_TOKEN_TTL_SECONDS,
      customer,
    };
  }
}

function limit(limiter: RateLimiter, key: string, message: string): void {
  const taken = limiter.take(key);
  if (!taken.ok) throw new ChatError('rate_limited', message, { retry_after_ms: taken.retryAfterMs });
}

function toCustomer(row: {
  id: string;
  email: string;
  display_name: string | null;
  created_at: Date;
}): Customer {
  return {
    id: row.id,
    email: row.email,
    display_name: row.display_name,
    created_at: new Date(row.created_at).toISOString(),
  };
}
