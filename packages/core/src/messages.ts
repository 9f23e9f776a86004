import type { ListReactionsQuery, Message, ReactionsResponse } from '@chat/protocol';
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

  /**
   * Who reacted to a message, newest first, of one `type` or all; pass the previous page's
   * `next_cursor` as `cursor` for the next page.
   *
   * @example
   * const { reactions, next_cursor } = await client.messages.reactions(messageId, { type: '👍' });
   */
  reactions(messageId: string, query: ListReactionsQuery = {}): Promise<ReactionsResponse> {
    return this.http.request('listReactions', { params: { id: messageId }, query });
  }
}
