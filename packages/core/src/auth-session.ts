import type { TokenResponse, User } from '@chat/protocol';
import type { SessionOptions } from './auth';
import type { KeyValueStore } from './environment';
import { ChatError, NetworkError } from './errors';
import type { HttpClient } from './http-client';
import type { TokenProvider } from './token-manager';

/**
 * The sessions of `Auth` (see auth.ts), a chunk of its own: apps whose accounts live elsewhere
 * never load it.
 */
export class AuthSession {
  private refreshToken: string | undefined;
  /** The session's refresh token is in the server's cookie, not in `refreshToken`. */
  private inCookie = false;

  constructor(
    private readonly http: HttpClient,
    private readonly connect: (user: User, provider: TokenProvider) => Promise<User>,
    private readonly signOut: () => Promise<void>,
    /** Keeps each username's device token, under keys scoped by the app. */
    private readonly deviceTokens: { store: KeyValueStore; prefix: string },
    /** Where a remembered session's user is kept (public profile only: the secret is the cookie). */
    private readonly sessionKey: string,
  ) {}

  /**
   * Logs in and connects; resolves with the connected user. This device's token from its last
   * login as this user goes along, so the server knows it: someone guessing the password
   * elsewhere then cannot lock the user out here.
   */
  async login(
    credentials: { username: string; password: string },
    options: SessionOptions = {},
  ): Promise<User> {
    const deviceToken = this.deviceTokens.store.get(this.deviceKey(credentials.username));
    const body = { ...credentials, ...(deviceToken && { device_token: deviceToken }), ...sessionOf(options) };
    return this.start(credentials.username, await this.http.request('login', { body }), options);
  }

  /** Creates an account (when the app allows it) and connects. */
  async register(
    input: { username: string; password: string; name?: string },
    options: SessionOptions = {},
  ): Promise<User> {
    const body = { ...input, ...sessionOf(options) };
    return this.start(input.username, await this.http.request('register', { body }), options);
  }

  /**
   * Picks up the session a `remember: true` login left (after a reload, a new tab): resolves with
   * the connected user, or `null` when there is none or the server ended it (logged out
   * elsewhere, expired, revoked). With the server unreachable it connects with the user it
   * remembers, so the offline cache and the queued messages show; the session is checked once
   * the network is back.
   */
  async resume(): Promise<User | null> {
    const remembered = this.remembered();
    if (!remembered) return null;
    this.inCookie = true;
    let tokens: TokenResponse;
    try {
      tokens = await this.http.request('refresh', { body: {} });
    } catch (error) {
      if (error instanceof NetworkError || (error instanceof ChatError && error.retryable)) {
        void this.connect(remembered, this.provider(undefined)).catch(() => {});
        return remembered;
      }
      this.forget();
      this.inCookie = false;
      return null;
    }
    return this.start(remembered.id, tokens, { remember: true });
  }

  /**
   * Revokes the refresh token on the server, then disconnects and clears the offline storage
   * (cache and unsent writes): `client.disconnect({ clear: true })`, done even if the revoke fails.
   */
  async logout(): Promise<void> {
    const token = this.refreshToken;
    const inCookie = this.inCookie;
    this.refreshToken = undefined;
    this.inCookie = false;
    this.forget();
    try {
      if (token) await this.http.request('logout', { body: { refresh_token: token } });
      else if (inCookie) await this.http.request('logout', { body: {} });
    } finally {
      await this.signOut();
    }
  }

  private deviceKey(username: string): string {
    return `${this.deviceTokens.prefix}${username}`;
  }

  private start(username: string, tokens: TokenResponse, options: SessionOptions): Promise<User> {
    if (tokens.device_token) this.deviceTokens.store.set(this.deviceKey(username), tokens.device_token);
    this.refreshToken = tokens.refresh_token;
    this.inCookie = !tokens.refresh_token;
    if (options.remember) this.deviceTokens.store.set(this.sessionKey, JSON.stringify(tokens.user));
    else this.forget();
    return this.connect(tokens.user, this.provider(tokens.access_token));
  }

  /** Tokens for the connection: `first` once, then a refresh (by the cookie, or by the token kept here). */
  private provider(first: string | undefined): TokenProvider {
    return async () => {
      if (first) {
        const token = first;
        first = undefined;
        return token;
      }
      const body = this.inCookie ? {} : { refresh_token: this.refreshToken ?? '' };
      try {
        const next = await this.http.request('refresh', { body });
        if (next.refresh_token) this.refreshToken = next.refresh_token;
        return next.access_token;
      } catch (error) {
        // The server ended the session: a reload must not try to resume it.
        if (error instanceof ChatError && !error.retryable && !(error instanceof NetworkError)) this.forget();
        throw error;
      }
    };
  }

  /** The user of a remembered session, if any. */
  private remembered(): User | null {
    const saved = this.deviceTokens.store.get(this.sessionKey);
    if (!saved) return null;
    try {
      const user = JSON.parse(saved) as User;
      return typeof user?.id === 'string' ? user : null;
    } catch {
      return null;
    }
  }

  private forget(): void {
    if (this.deviceTokens.store.get(this.sessionKey)) this.deviceTokens.store.set(this.sessionKey, '');
  }
}

const sessionOf = (options: SessionOptions) => (options.remember ? { session: 'cookie' as const } : {});
