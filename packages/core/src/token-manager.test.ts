import { describe, expect, it, vi } from 'vitest';
import { AuthError } from './errors';
import { TokenManager } from './token-manager';

/** A provider whose calls the test resolves by hand. */
function manualProvider() {
  const calls: ((token: string) => void)[] = [];
  const provider = vi.fn(() => new Promise<string>((resolve) => calls.push(resolve)));
  return { provider, resolve: (index: number, token: string) => calls[index]!(token) };
}

describe('TokenManager', () => {
  it('serves a fixed token and refuses to refresh it with an AuthError', async () => {
    const tokens = new TokenManager('fixed');
    await expect(tokens.getToken()).resolves.toBe('fixed');
    const error = await tokens.refresh('fixed').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ code: 'token_expired', retryable: false });
  });

  it('asks the provider once for concurrent first callers, then serves the cached token', async () => {
    const { provider, resolve } = manualProvider();
    const tokens = new TokenManager(provider);
    const both = Promise.all([tokens.getToken(), tokens.getToken()]);
    resolve(0, 't1');
    await expect(both).resolves.toEqual(['t1', 't1']);
    await expect(tokens.getToken()).resolves.toBe('t1');
    expect(provider).toHaveBeenCalledTimes(1);
  });

  it('shares one refresh between concurrent callers, and makes getToken wait for it', async () => {
    const { provider, resolve } = manualProvider();
    const tokens = new TokenManager(provider);
    const first = tokens.getToken();
    resolve(0, 't1');
    await first;
    const refreshes = Promise.all([tokens.refresh('t1'), tokens.refresh('t1'), tokens.getToken()]);
    resolve(1, 't2');
    await expect(refreshes).resolves.toEqual(['t2', 't2', 't2']);
    expect(provider).toHaveBeenCalledTimes(2);
  });

  it('does not refresh again for a token that was already replaced', async () => {
    const provider = vi.fn().mockResolvedValueOnce('t1').mockResolvedValueOnce('t2');
    const tokens = new TokenManager(provider);
    await tokens.getToken();
    await tokens.refresh('t1');
    // A late caller that was rejected with t1 gets t2 without another provider call.
    await expect(tokens.refresh('t1')).resolves.toBe('t2');
    expect(provider).toHaveBeenCalledTimes(2);
  });

  it('turns a provider failure into a retryable AuthError carrying the cause', async () => {
    const cause = new TypeError('fetch failed');
    const tokens = new TokenManager(() => Promise.reject(cause));
    const error = await tokens.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ retryable: true, cause });
  });

  it('passes on an AuthError the provider throws (the user is logged out)', async () => {
    const loggedOut = new AuthError({ code: 'unauthenticated', message: 'Logged out' });
    const tokens = new TokenManager(() => Promise.reject(loggedOut));
    await expect(tokens.getToken()).rejects.toBe(loggedOut);
  });

  it('rejects an empty token from the provider', async () => {
    const tokens = new TokenManager(async () => '');
    await expect(tokens.getToken()).rejects.toBeInstanceOf(AuthError);
  });

  it("drops a previous user's token that arrives after switching users", async () => {
    const { provider, resolve } = manualProvider();
    const tokens = new TokenManager(provider);
    const stale = tokens.getToken();
    tokens.setSource('bob-token');
    resolve(0, 'alice-token');
    await stale;
    await expect(tokens.getToken()).resolves.toBe('bob-token');
  });

  it('rejects when no user is connected', async () => {
    await expect(new TokenManager().getToken()).rejects.toBeInstanceOf(AuthError);
  });
});
