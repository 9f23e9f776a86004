import type { User } from '@chat/protocol';
import type { HttpClient } from './http-client';
import type { TokenProvider } from './token-manager';

/**
 * Accounts owned by the chat server (`POST /v1/auth/*`), for apps without their own backend:
 * `login` and `register` connect the user with a token provider that rotates the refresh token.
 *
 * @example
 * const me = await client.auth.login({ username: 'alice', password: 'chat-demo' });
 */
export class Auth {
  private refreshToken: string | undefined;

  constructor(
    private readonly http: HttpClient,
    private readonly connect: (user: User, provider: TokenProvider) => Promise<User>,
    private readonly signOut: () => Promise<void>,
  ) {}

  /** Logs in and connects; resolves with the connected user. */
  async login(credentials: { username: string; password: string }): Promise<User> {
    return this.start(await this.http.request('login', { body: credentials }));
  }

  /** Creates an account (when the app allows it) and connects. */
  async register(input: { username: string; password: string; name?: string }): Promise<User> {
    return this.start(await this.http.request('register', { body: input }));
  }

  /**
   * Revokes the refresh token on the server, then disconnects and clears the offline storage
   * (cache and unsent writes): `client.disconnect({ clear: true })`, done even if the revoke fails.
   */
  async logout(): Promise<void> {
    const token = this.refreshToken;
    this.refreshToken = undefined;
    try {
      if (token) await this.http.request('logout', { body: { refresh_token: token } });
    } finally {
      await this.signOut();
    }
  }

  private start(tokens: { access_token: string; refresh_token: string; user: User }): Promise<User> {
    this.refreshToken = tokens.refresh_token;
    let first: string | undefined = tokens.access_token;
    const provider: TokenProvider = async () => {
      if (first) {
        const token = first;
        first = undefined;
        return token;
      }
      const next = await this.http.request('refresh', { body: { refresh_token: this.refreshToken ?? '' } });
      this.refreshToken = next.refresh_token;
      return next.access_token;
    };
    return this.connect(tokens.user, provider);
  }
}
