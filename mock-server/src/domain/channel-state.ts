import { type ChannelState, LIMITS, type Member, type ReadState } from '@chat/protocol';
import type { Actor, Db } from './actor';
import type { ChannelAccess } from './channel-access';
import { toChannel, toMember, toMessages } from './views';

/** Members of a channel as wire entities, oldest first. */
export async function loadMembers(
  db: Db,
  appId: string,
  access: ChannelAccess,
  options: { userIds?: string[]; limit?: number } = {},
): Promise<Member[]> {
  if (options.userIds?.length === 0) return [];
  let q = db
    .selectFrom('channel_members')
    .innerJoin('app_users', 'app_users.id', 'channel_members.app_user_id')
    .selectAll('channel_members')
    .select(['app_users.external_id', 'app_users.display_name', 'app_users.image', 'app_users.is_online'])
    .where('channel_members.app_id', '=', appId)
    .where('channel_members.channel_id', '=', access.channel.id);
  if (options.userIds) q = q.where('channel_members.app_user_id', 'in', options.userIds);
  const rows = await q
    .orderBy('channel_members.created_at')
    .orderBy('channel_members.id')
    .limit(options.limit ?? LIMITS.PAGE_SIZE_MAX)
    .execute();
  return rows.map((r) => toMember(access.cid, r, r));
}

export async function loadReadStates(db: Db, appId: string, channelId: string): Promise<ReadState[]> {
  const rows = await db
    .selectFrom('channel_members')
    .innerJoin('app_users', 'app_users.id', 'channel_members.app_user_id')
    .leftJoin('message_reads', (join) =>
      join
        .onRef('message_reads.channel_id', '=', 'channel_members.channel_id')
        .onRef('message_reads.app_user_id', '=', 'channel_members.app_user_id'),
    )
    .select([
      'app_users.external_id',
      'channel_members.unread_count',
      'message_reads.message_id',
      'message_reads.read_at',
    ])
    .where('channel_members.app_id', '=', appId)
    .where('channel_members.channel_id', '=', channelId)
    .orderBy('channel_members.created_at')
    .limit(LIMITS.PAGE_SIZE_MAX)
    .execute();
  return rows.map((r) => ({
    user_id: r.external_id,
    last_read_message_id: r.message_id ?? null,
    last_read_at: r.read_at ? new Date(r.read_at).toISOString() : null,
    unread_count: r.unread_count,
  }));
}

/** Everything a client needs to show a channel: the newest messages, members, reads, draft. */
export async function loadChannelState(
  db: Db,
  actor: Actor,
  access: ChannelAccess,
  messageLimit: number = LIMITS.PAGE_SIZE_DEFAULT,
): Promise<ChannelState> {
  const { channel } = access;
  let q = db
    .selectFrom('messages')
    .selectAll()
    .where('app_id', '=', actor.appId)
    .where('channel_id', '=', channel.id)
    .where('parent_id', 'is', null);
  if (channel.truncated_at) q = q.where('created_at', '>', channel.truncated_at);
  const [rows, members, read, draft] = await Promise.all([
    messageLimit > 0 ? q.orderBy('seq', 'desc').limit(messageLimit).execute() : Promise.resolve([]),
    loadMembers(db, actor.appId, access),
    loadReadStates(db, actor.appId, channel.id),
    actor.userId
      ? db
          .selectFrom('message_drafts')
          .selectAll()
          .where('app_id', '=', actor.appId)
          .where('channel_id', '=', channel.id)
          .where('app_user_id', '=', actor.userId)
          .where('parent_id', 'is', null)
          .executeTakeFirst()
      : Promise.resolve(undefined),
  ]);
  const messages = await toMessages(db, actor.appId, rows.reverse(), () => access.cid, actor.userId);
  const membership = access.membership
    ? ((await loadMembers(db, actor.appId, access, { userIds: [access.membership.app_user_id] }))[0] ?? null)
    : null;
  return {
    channel: toChannel(channel, access.createdBy),
    members,
    messages,
    read,
    membership,
    draft: draft
      ? {
          cid: access.cid,
          parent_id: null,
          text: draft.text,
          updated_at: new Date(draft.updated_at).toISOString(),
        }
      : null,
  };
}
