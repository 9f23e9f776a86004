import type { User } from '@chat/protocol';
import type { KeyValueStore } from './environment';
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
    /** Keeps each username's device token, under keys scoped by the app. */
    private readonly deviceTokens: { store: KeyValueStore; prefix: string },
  ) {}

  /**
   * Logs in and connects; resolves with the connected user. This device's token from its last
   * login as this user goes along, so the server knows it: someone guessing the password
   * elsewhere then cannot lock the user out here.
   */
  async login(credentials: { username: string; password: string }): Promise<User> {
    const deviceToken = this.deviceTokens.store.get(this.deviceKey(credentials.username));
    const body = deviceToken ? { ...credentials, device_token: deviceToken } : credentials;
    return this.start(credentials.username, await this.http.request('login', { body }));
  }

  /** Creates an account (when the app allows it) and connects. */
  async register(input: { username: string; password: string; name?: string }): Promise<User> {
    return this.start(input.username, await this.http.request('register', { body: input }));
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

  private deviceKey(username: string): string {
    return `${this.deviceTokens.prefix}${username}`;
  }

  private start(
    username: string,
    tokens: { access_token: string; refresh_token: string; user: User; device_token?: string | undefined },
  ): Promise<User> {
    if (tokens.device_token) this.deviceTokens.store.set(this.deviceKey(username), tokens.device_token);
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
