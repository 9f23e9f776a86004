import type { Channel, Member, Message, User, UserRef } from '@chat/protocol';
import type { AppDb } from '../store/app-scope';
import type { AppUserRow, ChannelRow, MemberRow, MessageRow } from '../store/schema';
import { loadAttachments } from './messages/attachment-views';
import { visibleMessages } from './moderation/message-visibility';

/** Row → wire entity conversions. The wire never shows internal uuids of users or channels. */

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());
const isoNow = (d: Date | string): string => new Date(d).toISOString();

export function toUser(row: AppUserRow): User {
  return {
    id: row.external_id,
    name: row.display_name,
    image: row.image,
    role: row.user_type,
    custom: row.custom ?? {},
    online: row.is_online,
    last_active_at: iso(row.last_active_at),
    created_at: isoNow(row.created_at),
    updated_at: isoNow(row.updated_at),
  };
}

export function toUserRef(
  row: Pick<AppUserRow, 'external_id' | 'display_name' | 'image' | 'is_online' | 'last_active_at'>,
): UserRef {
  return {
    id: row.external_id,
    name: row.display_name,
    image: row.image,
    online: row.is_online,
    last_active_at: iso(row.last_active_at),
  };
}

export function toChannel(row: ChannelRow, createdBy: string | null): Channel {
  return {
    cid: `${row.type}:${row.external_id}`,
    type: row.type,
    id: row.external_id,
    name: row.name,
    image: row.image,
    custom: row.custom ?? {},
    created_by: createdBy,
    member_count: row.member_count,
    frozen: row.is_frozen,
    seq: Number(row.seq),
    last_message_at: iso(row.last_message_at),
    created_at: isoNow(row.created_at),
    updated_at: isoNow(row.updated_at),
    deleted_at: iso(row.deleted_at),
    truncated_at: iso(row.truncated_at),
    slow_mode_s: row.slow_mode_s ?? 0,
  };
}

export type UserRefRow = Pick<
  AppUserRow,
  'external_id' | 'display_name' | 'image' | 'is_online' | 'last_active_at'
>;

/** `row` carries its derived `unread_count` (domain/unread.ts). */
export function toMember(cid: string, row: MemberRow & { unread_count: number }, user: UserRefRow): Member {
  const banned = row.is_banned && (row.ban_expires_at === null || new Date(row.ban_expires_at) > new Date());
  return {
    cid,
    user_id: user.external_id,
    user: toUserRef(user),
    role: row.role,
    muted: row.is_muted,
    banned,
    ban_expires_at: banned ? iso(row.ban_expires_at) : null,
    unread_count: row.unread_count,
    created_at: isoNow(row.created_at),
    updated_at: isoNow(row.updated_at),
  };
}

/**
 * Builds wire messages for rows of one application, loading authors, attachments, reactions and
 * quoted messages in a few batched queries.
 */
/** The users with these ids: those in `known`, and the rest read. */
async function usersById(db: AppDb, ids: string[], known: AppUserRow[]): Promise<Map<string, AppUserRow>> {
  const byId = new Map(known.filter((user) => ids.includes(user.id)).map((user) => [user.id, user]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length > 0)
    for (const user of await db.selectFrom('app_users').selectAll().where('id', 'in', missing).execute())
      byId.set(user.id, user);
  return byId;
}

export async function toMessages(
  db: AppDb,
  rows: MessageRow[],
  cidOf: (channelId: string) => string,
  viewerId: string | null,
  /**
   * The rows were inserted just now, in the caller's transaction: they have no reactions yet,
   * and attachments only if some were given. Skips the queries that could only find nothing
   * (a send holds its channel's row lock while this runs).
   */
  fresh?: {
    /** The attachments stored with them, as built from the rows in hand, by message id. */
    attachments?: Map<string, Message['attachments']>;
    /** Users' rows the caller has already read (the sender's), not to be read again. */
    users?: AppUserRow[];
  },
): Promise<Message[]> {
  if (rows.length === 0) return [];
  const quotedIds = [
    ...new Set(rows.map((r) => r.quoted_message_id).filter((id): id is string => id !== null)),
  ];
  // A quote of a message the viewer may not see (another's shadowed one, a blocked user's) is
  // left out: the message shows as quoting nothing.
  const quotedRows = quotedIds.length
    ? await db
        .selectFrom('messages')
        .selectAll()
        .where('id', 'in', quotedIds)
        .where((eb) => visibleMessages(eb, viewerId))
        .execute()
    : [];
  const all = [...rows, ...quotedRows];
  const ids = [...new Set(all.map((r) => r.id))];
  const userIds = [
    ...new Set(all.flatMap((r) => [r.app_user_id, r.pinned_by].filter((x): x is string => !!x))),
  ];

  const onlyFresh = fresh !== undefined && quotedRows.length === 0;
  const none = Promise.resolve([]);
  const [users, attachments, reactionCounts, ownReactions] = await Promise.all([
    usersById(db, userIds, fresh?.users ?? []),
    onlyFresh ? (fresh.attachments ?? new Map<string, Message['attachments']>()) : loadAttachments(db, ids),
    onlyFresh
      ? none
      : db
          .selectFrom('message_reactions')
          .select(['message_id', 'type', (eb) => eb.fn.countAll<number>().as('count')])
          .where('message_id', 'in', ids)
          .groupBy(['message_id', 'type'])
          .execute(),
    viewerId && !onlyFresh
      ? db
          .selectFrom('message_reactions')
          .select(['message_id', 'type'])
          .where('message_id', 'in', ids)
          .where('app_user_id', '=', viewerId)
          .orderBy('created_at')
          .execute()
      : Promise.resolve([]),
  ]);
  const userById = users;

  const build = (row: MessageRow): Message => {
    const author = userById.get(row.app_user_id);
    const deleted = row.is_deleted;
    const counts: Record<string, number> = {};
    if (!deleted)
      for (const r of reactionCounts) if (r.message_id === row.id) counts[r.type] = Number(r.count);
    return {
      id: row.id,
      cid: cidOf(row.channel_id),
      seq: Number(row.seq),
      client_msg_id: row.client_msg_id,
      type: deleted ? 'deleted' : row.type,
      text: deleted ? '' : row.text,
      user_id: author?.external_id ?? 'deleted-user',
      user: author
        ? toUserRef(author)
        : { id: 'deleted-user', name: null, image: null, online: false, last_active_at: null },
      attachments: deleted ? [] : (attachments.get(row.id) ?? []),
      link_previews: deleted ? [] : row.link_previews,
      mentioned_user_ids: deleted ? [] : row.mentioned_user_ids,
      parent_id: row.parent_id,
      reply_count: row.reply_count,
      quoted_message_id: row.quoted_message_id,
      reaction_counts: counts,
      own_reactions: deleted ? [] : ownReactions.filter((r) => r.message_id === row.id).map((r) => r.type),
      pinned: row.is_pinned,
      pinned_at: iso(row.pinned_at),
      pinned_by: row.pinned_by ? (userById.get(row.pinned_by)?.external_id ?? null) : null,
      custom: deleted ? {} : (row.custom ?? {}),
      created_at: isoNow(row.created_at),
      updated_at: isoNow(row.updated_at),
      edited_at: iso(row.edited_at),
      deleted_at: iso(row.deleted_at),
      // What a system message reports (domain/channels/system-messages.ts).
      system: deleted ? null : (row.system ?? null),
      // Moderation: clients render "removed by a moderator".
      ...(deleted && { removed_by_moderator: row.removed_by_moderator ?? false }),
    };
  };

  const quotedById = new Map(quotedRows.map((r) => [r.id, r]));
  return rows.map((row) => {
    const quoted = row.quoted_message_id ? quotedById.get(row.quoted_message_id) : undefined;
    return { ...build(row), quoted_message: quoted ? build(quoted) : null };
  });
}
