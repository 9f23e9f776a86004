import { AuthError, ChatError } from './errors';

/**
 * Returns a fresh user token, typically from the app's own backend. Throw an `AuthError` to say
 * the user cannot get one (logged out); any other failure counts as temporary and is retried.
 */
export type TokenProvider = () => Promise<string>;

/** A fixed token, or a provider the SDK calls for the first token and whenever one expires. */
export type TokenSource = string | TokenProvider;

/**
 * Holds the user's token and refreshes it. Concurrent callers share one provider call, so a
 * burst of expired requests (and the socket) trigger one refresh, not one each.
 *
 * @example
 * const tokens = new TokenManager(() => fetch('/chat-token').then((r) => r.text()));
 * const token = await tokens.getToken();
 */
export class TokenManager {
  private source: TokenSource | undefined;
  private token: string | undefined;
  private pending: Promise<string> | undefined;
  // Bumped on every `setSource`, so a provider call for the previous user cannot land its token.
  private epoch = 0;

  constructor(source?: TokenSource) {
    this.setSource(source);
  }

  /** Switches to another user's token source (or none), forgetting the current token. */
  setSource(source: TokenSource | undefined): void {
    this.epoch++;
    this.source = source;
    this.token = typeof source === 'string' ? source : undefined;
    this.pending = undefined;
  }

  /** Whether a token can be obtained at all. */
  get hasSource(): boolean {
    return this.source !== undefined;
  }

  /** The current token, asking the provider only when there is none yet. */
  getToken(): Promise<string> {
    // During a refresh the old token is known to be stale: wait for the new one.
    if (this.pending) return this.pending;
    if (this.token !== undefined) return Promise.resolve(this.token);
    return this.load();
  }

  /**
   * A new token from the provider. Pass the token that was rejected: if it has already been
   * replaced (another caller refreshed meanwhile), the replacement is returned without a call.
   * A fixed token cannot be refreshed: this rejects with an `AuthError`.
   */
  refresh(rejected?: string): Promise<string> {
    if (this.pending) return this.pending;
    if (rejected !== undefined && this.token !== undefined && this.token !== rejected) {
      return Promise.resolve(this.token);
    }
    if (typeof this.source === 'string') {
      return Promise.reject(
        new AuthError({
          code: 'token_expired',
          status: 401,
          message: 'The token expired and cannot be refreshed: pass a token provider instead of a string',
        }),
      );
    }
    return this.load();
  }

  private load(): Promise<string> {
    if (this.pending) return this.pending;
    const source = this.source;
    if (typeof source === 'string') return Promise.resolve(source);
    if (source === undefined) {
      return Promise.reject(
        new AuthError({ code: 'unauthenticated', message: 'No token: connect a user first' }),
      );
    }
    const epoch = this.epoch;
    const call = (async () => {
      try {
        const token = await source();
        if (typeof token !== 'string' || token === '') {
          throw new AuthError({ code: 'unauthenticated', message: 'The token provider returned no token' });
        }
        if (epoch === this.epoch) this.token = token;
        return token;
      } catch (error) {
        if (error instanceof ChatError) throw error;
        throw new AuthError({
          code: 'unauthenticated',
          message: 'The token provider failed',
          retryable: true,
          cause: error,
        });
      } finally {
        if (epoch === this.epoch) this.pending = undefined;
      }
    })();
    this.pending = call;
    return call;
  }
}
