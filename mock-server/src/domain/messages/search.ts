import { LIMITS, type SearchQuery, type SearchResponse, timestamp } from '@chat/protocol';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Actor } from '../../kernel/actor';
import { loadChannel, requireAccess } from '../channels/channel-access';
import { decodeCursor, encodeCursor } from '../cursor';
import type { DomainDeps } from '../deps';
import { visibleMessages } from '../moderation/message-visibility';
import { toMessages } from '../views';

/**
 * Where a page of results ended: the last message's created_at and id. A cursor is client input:
 * its time is checked as any other (a year 0 would fail the query).
 */
const searchCursor = z.strictObject({ t: timestamp, id: z.uuid() });

/**
 * Full-text search (PostgreSQL `tsvector`, also on PGlite) over live messages in channels the
 * user belongs to, newest first, with keyset pagination.
 */
export async function searchMessages(
  deps: DomainDeps,
  actor: Actor,
  query: SearchQuery,
): Promise<SearchResponse> {
  const { db } = deps;
  const limit = query.limit ?? LIMITS.PAGE_SIZE_DEFAULT;
  let q = db
    .selectFrom('messages')
    .innerJoin('channels', 'channels.id', 'messages.channel_id')
    .selectAll('messages')
    .select(['channels.type as channel_type', 'channels.external_id as channel_external_id'])
    .where('channels.deleted_at', 'is', null)
    .where('messages.is_deleted', '=', false)
    .where(sql<boolean>`messages.search @@ plainto_tsquery('simple', ${query.query})`)
    .where(sql<boolean>`(channels.truncated_at IS NULL OR messages.created_at > channels.truncated_at)`);
  if (!actor.server) {
    const userId = actor.userId!;
    // No shadowed message of another, nothing from a blocked user.
    q = q.where((eb) => visibleMessages(eb, userId));
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('channel_members as me')
          .select('me.id')
          .whereRef('me.channel_id', '=', 'messages.channel_id')
          .where('me.app_user_id', '=', userId)
          .where((b) => b.or([b('me.is_banned', '=', false), b('me.ban_expires_at', '<', new Date())])),
      ),
    );
  }
  if (query.cid) {
    const [type, id] = [
      query.cid.slice(0, query.cid.indexOf(':')),
      query.cid.slice(query.cid.indexOf(':') + 1),
    ];
    const access = await loadChannel(db, actor, type as never, id);
    requireAccess(actor, access, 'read');
    q = q.where('messages.channel_id', '=', access.channel.id);
  }
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor, searchCursor);
    q = q.where(sql<boolean>`(messages.created_at, messages.id) < (${new Date(cursor.t)}, ${cursor.id})`);
  }
  const rows = await q
    .orderBy('messages.created_at', 'desc')
    .orderBy('messages.id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const cids = new Map(page.map((r) => [r.channel_id, `${r.channel_type}:${r.channel_external_id}`]));
  const messages = await toMessages(
    db,
    page.map(({ channel_type: _t, channel_external_id: _e, ...row }) => row),
    (channelId) => cids.get(channelId)!,
    actor.userId,
  );
  const last = page[page.length - 1];
  return {
    results: messages.map((message) => ({ message })),
    next_cursor:
      rows.length > limit && last
        ? encodeCursor({ t: new Date(last.created_at).toISOString(), id: last.id })
        : null,
  };
}
