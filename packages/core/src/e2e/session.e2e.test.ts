import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, until } from '../../test/e2e-harness';
import { ChatClient } from '../client';
import type { FetchLike } from '../environment';

/**
 * A browser's part, for Node: a cookie jar (what the server sets comes back on the next request,
 * httpOnly or not, and the SDK never sees it) and localStorage. A "reload" is a new client on
 * the same jar and storage.
 */
function browser() {
  const jar = new Map<string, string>();
  const kept = new Map<string, string>();
  let networkUp = true;
  const listeners = new Set<(up: boolean) => void>();
  const requests: { path: string; body: string }[] = [];
  const fetchWithJar: FetchLike = async (input, init = {}) => {
    if (!networkUp) throw new TypeError('Failed to fetch');
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
    requests.push({ path: new URL(input).pathname, body: String(init.body ?? '') });
    const response = await fetch(input, { ...init, headers });
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const [name = '', value = ''] = pair.split('=');
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(header)) jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  };
  const keyValue = {
    get: (key: string) => kept.get(key) ?? null,
    set: (key: string, v: string) => void kept.set(key, v),
  };
  return {
    jar,
    kept,
    requests,
    setNetwork: (up: boolean) => {
      networkUp = up;
      for (const listener of listeners) listener(up);
    },
    client: (h: { apiKey: string; server: { url: string } }) =>
      new ChatClient({
        apiKey: h.apiKey,
        baseUrl: h.server.url,
        env: {
          fetch: fetchWithJar,
          keyValue,
          online: {
            current: () => networkUp,
            subscribe: (listener) => {
              listeners.add(listener);
              return () => listeners.delete(listener);
            },
          },
        },
      }),
  };
}

let h: Awaited<ReturnType<typeof startServer>>;
const password = 'correct horse battery';

beforeAll(async () => {
  h = await startServer();
}, 60_000);
afterAll(async () => {
  await h?.server.close();
});

describe('a remembered session survives a reload', () => {
  it('resumes from the httpOnly cookie; the refresh token never reaches the SDK or storage', async () => {
    const b = browser();
    const first = b.client(h);
    await first.auth.register({ username: 'remy', password, name: 'Remy' }, { remember: true });
    expect(first.connection.getSnapshot().status).toBe('connected');
    expect(b.jar.size).toBe(1);
    const [cookie] = [...b.jar.values()];
    // Nothing a page script can read holds the secret.
    expect(JSON.stringify([...b.kept])).not.toContain(cookie);
    await first.disconnect();

    const reloaded = b.client(h);
    const user = await reloaded.auth.resume();
    expect(user?.id).toBe('remy');
    expect(user?.name).toBe('Remy');
    await until(reloaded.connection, (c) => c.status === 'connected');
    expect([...b.jar.values()][0]).not.toBe(cookie); // rotated
    // A resumed session refreshes by the cookie: the body carries no token.
    const refreshes = b.requests.filter((r) => r.path === '/v1/auth/refresh');
    expect(refreshes.map((r) => r.body)).toEqual(['{}']);
    await reloaded.disconnect();
  });

  it('offline, resumes with the remembered user so the cache shows, and checks the session once back', async () => {
    const b = browser();
    const first = b.client(h);
    await first.auth.login({ username: 'remy', password }, { remember: true });
    await first.disconnect();

    b.setNetwork(false);
    const offline = b.client(h);
    const user = await offline.auth.resume();
    expect(user?.id).toBe('remy');
    expect(offline.userId).toBe('remy');
    await until(offline.connection, (c) => c.status === 'offline');
    b.setNetwork(true);
    await until(offline.connection, (c) => c.status === 'connected');
    expect(offline.getUser()?.id).toBe('remy');
    await offline.disconnect();
  });

  it('a session ended elsewhere (logout) is not resumed, and the remembered user is forgotten', async () => {
    const b = browser();
    const first = b.client(h);
    await first.auth.login({ username: 'remy', password }, { remember: true });
    const stale = new Map(b.jar);
    await first.auth.logout();
    expect(b.jar.size).toBe(0);
    expect(await b.client(h).auth.resume()).toBeNull();

    // The same with the cookie still in the jar (logout from another tab that kept a stale copy).
    const again = browser();
    await again.client(h).auth.login({ username: 'remy', password }, { remember: true });
    const other = browser();
    for (const [name, value] of again.jar) other.jar.set(name, value);
    await again
      .client(h)
      .auth.resume()
      .then(async (u) => expect(u?.id).toBe('remy'));
    // `other` holds the cookie `again` had before its resume rotated it: a reuse.
    for (const [key, value] of again.kept) other.kept.set(key, value);
    expect(await other.client(h).auth.resume()).toBeNull();
    expect(other.kept.get(`chat-session:${h.apiKey}`)).toBe('');
    expect(stale.size).toBe(1);
  });

  it('without remember, nothing is kept: a reload starts at the login', async () => {
    const b = browser();
    const first = b.client(h);
    await first.auth.login({ username: 'remy', password });
    expect(b.jar.size).toBe(0);
    await first.disconnect();
    expect(await b.client(h).auth.resume()).toBeNull();
  });
});
