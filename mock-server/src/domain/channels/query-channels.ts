import { type ChannelListResponse, LIMITS, type QueryChannelsBody, timestamp } from '@chat/protocol';
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import { z } from 'zod';
import type { Actor } from '../../kernel/actor';
import type { Database } from '../../store/schema';
import { decodeCursor, encodeCursor } from '../cursor';
import type { DomainDeps } from '../deps';
import { loadChannel } from './channel-access';
import { loadChannelState } from './channel-state';
import { joinableTypes } from './permissions';

/**
 * Where a page of channels ended: its last sort key, at the database's full (microsecond)
 * precision, and its id. A JS Date would round the key to milliseconds, and the next page would
 * then skip or repeat channels whose keys fall in the same millisecond.
 */
// The time is range-checked: one PostgreSQL cannot take (year 0 or 10000) would be a 500.
const channelCursor = z.strictObject({ k: timestamp, id: z.uuid() });

/**
 * Which channels a query starts from. Without `joinable`: the user's own (server-side calls: all
 * of the app's). With it: channels of a public type (`joinableTypes`) the user has no member row
 * in. A banned member keeps a row, so a channel they were banned from is neither listed as theirs
 * (they may not read it) nor offered to join. A server-side call has no user who could be a member:
 * for it, joinable means every public channel of the app. App admins, who could join anything,
 * still browse only public channels: a browse list must not lay out private conversations.
 */
function callerScope(
  eb: ExpressionBuilder<Database, 'channels'>,
  actor: Actor,
  joinable: boolean,
): Expression<SqlBool> {
  const memberRow = (userId: string) =>
    eb
      .selectFrom('channel_members as me')
      .select('me.id')
      .whereRef('me.channel_id', '=', 'channels.id')
      .where('me.app_user_id', '=', userId);
  if (joinable) {
    const publicType = eb('channels.type', 'in', joinableTypes(actor.appId));
    return actor.server ? publicType : eb.and([publicType, eb.not(eb.exists(memberRow(actor.userId!)))]);
  }
  if (actor.server) return eb.lit(true);
  // A banned member may not read the channel (requireAccess), so it is not listed either.
  return eb.exists(
    memberRow(actor.userId!).where((b) =>
      b.or([b('me.is_banned', '=', false), b('me.ban_expires_at', '<=', new Date())]),
    ),
  );
}

/**
 * Lists channels the user is a member of (server-side calls: all of the app's), or with
 * `filter.joinable` the public ones they could join, filtered and sorted, with keyset pagination
 * so pages never skip or repeat while channels change.
 */
export async function queryChannels(
  deps: DomainDeps,
  actor: Actor,
  body: QueryChannelsBody,
): Promise<ChannelListResponse> {
  const { db } = deps;
  const f = body.filter ?? {};
  // No type is open to all (the permission table says so): nothing to browse.
  if (f.joinable && joinableTypes(actor.appId).length === 0) return { channels: [], next_cursor: null };
  const limit = body.limit ?? LIMITS.PAGE_SIZE_DEFAULT;
  const sortField = body.sort?.created_at !== undefined ? 'created_at' : 'last_message_at';
  const direction = (body.sort?.[sortField] ?? -1) === -1 ? 'desc' : 'asc';
  // Channels without messages sort by their creation time, so new conversations show up.
  const key =
    sortField === 'created_at'
      ? sql<Date>`channels.created_at`
      : sql<Date>`coalesce(channels.last_message_at, channels.created_at)`;

  let q = db
    .selectFrom('channels')
    .select([
      'channels.id',
      'channels.type',
      'channels.external_id',
      sql<string>`to_char(${key} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('sort_key'),
    ])
    .where('channels.deleted_at', 'is', null);
  q = q.where((eb) => callerScope(eb, actor, f.joinable === true));
  if (f.type) q = q.where('channels.type', 'in', Array.isArray(f.type) ? f.type : [f.type]);
  if (f.frozen !== undefined) q = q.where('channels.is_frozen', '=', f.frozen);
  if (f.last_message_at?.gt) q = q.where('channels.last_message_at', '>', new Date(f.last_message_at.gt));
  if (f.last_message_at?.lt) q = q.where('channels.last_message_at', '<', new Date(f.last_message_at.lt));
  if (f.members) {
    const members = await db
      .selectFrom('app_users')
      .select('id')
      .where('external_id', 'in', f.members)
      .execute();
    if (members.length !== new Set(f.members).size) return { channels: [], next_cursor: null };
    for (const m of members) {
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('channel_members as fm')
            .select('fm.id')
            .whereRef('fm.channel_id', '=', 'channels.id')
            .where('fm.app_user_id', '=', m.id),
        ),
      );
    }
  }
  if (body.cursor) {
    const cursor = decodeCursor(body.cursor, channelCursor);
    const cmp = direction === 'desc' ? sql`<` : sql`>`;
    q = q.where(sql<boolean>`(${key}, channels.id) ${cmp} (${cursor.k}::timestamptz, ${cursor.id}::uuid)`);
  }
  const rows = await q
    .orderBy(key, direction)
    .orderBy('channels.id', direction)
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const channels = await Promise.all(
    page.map(async (row) => {
      const access = await loadChannel(db, actor, row.type, row.external_id);
      return loadChannelState(db, actor, access, body.message_limit ?? LIMITS.PAGE_SIZE_DEFAULT);
    }),
  );
  const last = page[page.length - 1];
  return {
    channels,
    next_cursor: rows.length > limit && last ? encodeCursor({ k: last.sort_key, id: last.id }) : null,
  };
}
