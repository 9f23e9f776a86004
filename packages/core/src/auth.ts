import type { User } from '@chat/protocol';
import type { AuthSession } from './auth-session';

type AuthDeps = ConstructorParameters<typeof AuthSession>;

/**
 * Accounts owned by the chat server (`POST /v1/auth/*`), for apps without their own backend:
 * `login` and `register` connect the user with a token provider that rotates the refresh token.
 *
 * With `remember: true` the session survives a reload: the server keeps the refresh token in an
 * httpOnly cookie (no page script can read it) and `resume()` picks the session up again, from
 * the cache when the network is down. For an app served from the chat server's origin. The code
 * behind it loads with the first call (apps with their own accounts never load it).
 *
 * @example
 * const me = (await client.auth.resume()) ?? (await client.auth.login({ username, password }, { remember: true }));
 */
export class Auth {
  private session: Promise<AuthSession> | undefined;
  private readonly deps: AuthDeps;

  constructor(...deps: AuthDeps) {
    this.deps = deps;
  }

  private load(): Promise<AuthSession> {
    this.session ??= import('./auth-session').then(
      (m) => new m.AuthSession(...this.deps),
      (error: unknown) => {
        // Not loaded (offline, a replaced deploy): the next call tries again.
        this.session = undefined;
        throw error;
      },
    );
    return this.session;
  }

  /**
   * Logs in and connects; resolves with the connected user. This device's token from its last
   * login as this user goes along, so the server knows it: someone guessing the password
   * elsewhere then cannot lock the user out here.
   */
  async login(credentials: { username: string; password: string }, options?: SessionOptions): Promise<User> {
    return (await this.load()).login(credentials, options);
  }

  /** Creates an account (when the app allows it) and connects. */
  async register(
    input: { username: string; password: string; name?: string },
    options?: SessionOptions,
  ): Promise<User> {
    return (await this.load()).register(input, options);
  }

  /**
   * Picks up the session a `remember: true` login left (after a reload, a new tab): resolves with
   * the connected user, or `null` when there is none or the server ended it (logged out
   * elsewhere, expired, revoked). With the server unreachable it connects with the user it
   * remembers, so the offline cache and the queued messages show; the session is checked once
   * the network is back.
   */
  async resume(): Promise<User | null> {
    return (await this.load()).resume();
  }

  /**
   * Revokes the refresh token on the server, then disconnects and clears the offline storage
   * (cache and unsent writes): `client.disconnect({ clear: true })`, done even if the revoke fails.
   */
  async logout(): Promise<void> {
    return (await this.load()).logout();
  }
}

/** How a login keeps its session. */
export interface SessionOptions {
  /**
   * Keep the session across reloads (`resume()`): the refresh token goes into the server's
   * httpOnly cookie instead of memory. Default `false`: the session ends with the page.
   */
  remember?: boolean;
}
