import type { User } from '@chat/protocol';
import type { HttpClient } from './http-client';

/**
 * Looking users up.
 *
 * @example
 * const [bob] = await client.users.query({ ids: ['bob'] });
 */
export class Users {
  constructor(private readonly http: HttpClient) {}

  /** Users by id (`ids`) or by a prefix of their id or name (`q`). */
  async query(input: { ids?: string[]; q?: string; limit?: number }): Promise<User[]> {
    const query = { ...input, ...(input.ids && { ids: input.ids.join(',') }) };
    return (await this.http.request('queryUsers', { query })).users;
  }
}
