import type { Message } from '@chat/protocol';
import type { HttpClient } from './http-client';

/**
 * Message operations that are not about one channel handle.
 *
 * @example
 * const { messages } = await client.messages.search({ query: 'trip', limit: 20 });
 */
export class Messages {
  constructor(private readonly http: HttpClient) {}

  /** Full-text search across the user's channels (or one, with `cid`). */
  async search(input: {
    query: string;
    cid?: string;
    limit?: number;
    cursor?: string;
  }): Promise<{ messages: Message[]; nextCursor: string | null }> {
    const result = await this.http.request('search', { query: input });
    return { messages: result.results.map((r) => r.message), nextCursor: result.next_cursor };
  }
}
