import { type ChatServer, createServerToken, createUserToken, DEMO_API_KEY } from '@chat/server';

/**
 * The demo app's backend, for a test to set the scene fast (150 messages, a read position)
 * without clicking: REST calls with a server token, which act for any user (`user_id` in the
 * body) and are not metered by the users' write budget, or (`asUser`) with a user's own token
 * for what only a user may do (marking read).
 */
export async function demoBackend(chat: ChatServer) {
  const { api_secret } = await chat.store.db
    .selectFrom('applications')
    .select('api_secret')
    .where('api_key', '=', DEMO_API_KEY)
    .executeTakeFirstOrThrow();
  const serverToken = await createServerToken(api_secret);
  const call = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    asUser?: string,
  ): Promise<T> => {
    const token = asUser ? await createUserToken(api_secret, asUser) : serverToken;
    const response = await fetch(`${chat.url}${path}`, {
      method,
      headers: {
        'x-api-key': DEMO_API_KEY,
        authorization: `Bearer ${token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const answer = (await response.json()) as T;
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  };
  return { call };
}
