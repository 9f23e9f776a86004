// Setting up this server for a run through its public REST API, as a customer backend would:
// users (server token), channels and members. Tokens are minted with @chat/server's own helper.
import { randomBytes } from 'node:crypto';
import { createServerToken, createUserToken } from '@chat/server';
import { mapLimit } from './stats.mjs';

export function newCredentials() {
  return {
    apiKey: `bench-${randomBytes(8).toString('hex')}`,
    apiSecret: randomBytes(32).toString('base64url'),
  };
}

export function appEnv({ apiKey, apiSecret }) {
  return { BENCH_API_KEY: apiKey, BENCH_API_SECRET: apiSecret };
}

/** User tokens for `ids` (valid 6 h), minted in parallel batches. */
export async function userTokens(apiSecret, ids) {
  return mapLimit(ids, 64, (id) => createUserToken(apiSecret, id, { expiresIn: '6h' }));
}

/** A small REST client on one server URL. */
export async function restClient(url, credentials) {
  const serverToken = await createServerToken(credentials.apiSecret, { expiresIn: '6h' });
  async function call(method, path, body, token = serverToken) {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        'x-api-key': credentials.apiKey,
        authorization: `Bearer ${token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : undefined;
  }
  return {
    call,
    serverToken,
    async upsertUsers(ids, concurrency = 4) {
      const batches = [];
      for (let i = 0; i < ids.length; i += 100) batches.push(ids.slice(i, i + 100));
      await mapLimit(batches, concurrency, (batch) =>
        call('POST', '/v1/users', { users: batch.map((id) => ({ id, name: id })) }),
      );
    },
    /** Creates `type:id` with `members` (the first one creates it), adding them 100 at a time. */
    async createChannel(type, id, members, concurrency = 2) {
      await call('POST', '/v1/channels', {
        type,
        id,
        name: id,
        members: members.slice(0, 100),
        created_by_id: members[0],
      });
      const batches = [];
      for (let i = 100; i < members.length; i += 100) batches.push(members.slice(i, i + 100));
      await mapLimit(batches, concurrency, (batch) =>
        call('POST', `/v1/channels/${type}/${encodeURIComponent(id)}/members`, { user_ids: batch }),
      );
      return `${type}:${id}`;
    },
  };
}
