import { type ChannelState, LIMITS, type Member, type ReadState } from '@chat/protocol';
import type { Actor } from '../../kernel/actor';
import type { AppDb } from '../../store/app-scope';
import { visibleMessages } from '../moderation/message-visibility';
import { unreadCountOf } from '../reads/unread';
import { toChannel, toMember, toMessages } from '../views';
import type { ChannelAccess } from './channel-access';

interface PageOptions {
  userIds?: string[];
  limit?: number;
}

/**
 * One page of a channel's members in join order (or the given users) with what both the member
 * list and the read states need: a watch gets both from one query, and each member's unread
 * count (a subquery: unread.ts) is counted once.
 */
async function memberPage(db: AppDb, channelId: string, options: PageOptions) {
  if (options.userIds?.length === 0) return [];
  let q = db
    .selectFrom('channel_members')
    .innerJoin('app_users', 'app_users.id', 'channel_members.app_user_id')
    .leftJoin('message_reads', (join) =>
      join
        .onRef('message_reads.channel_id', '=', 'channel_members.channel_id')
        .onRef('message_reads.app_user_id', '=', 'channel_members.app_user_id'),
    )
    .selectAll('channel_members')
    .select([
      'app_users.external_id',
      'app_users.display_name',
      'app_users.image',
      'app_users.is_online',
      'app_users.last_active_at',
    ])
    .select(['message_reads.message_id as read_message_id', 'message_reads.read_at'])
    .select((eb) => unreadCountOf(eb).as('unread_count'))
    .where('channel_members.channel_id', '=', channelId);
  if (options.userIds) q = q.where('channel_members.app_user_id', 'in', options.userIds);
  return q
    .orderBy('channel_members.created_at')
    .orderBy('channel_members.id')
    .limit(options.limit ?? LIMITS.PAGE_SIZE_MAX)
    .execute();
}

type MemberPageRow = Awaited<ReturnType<typeof memberPage>>[number];

const toReadState = (r: MemberPageRow): ReadState => ({
  user_id: r.external_id,
  last_read_message_id: r.read_message_id ?? null,
  last_read_at: r.read_at ? new Date(r.read_at).toISOString() : null,
  unread_count: r.unread_count,
});

/** Members of a channel as wire entities, oldest first. */
export async function loadMembers(
  db: AppDb,
  access: ChannelAccess,
  options: PageOptions = {},
): Promise<Member[]> {
  const rows = await memberPage(db, access.channel.id, options);
  return rows.map((r) => toMember(access.cid, r, r));
}

/** Read states of a channel's members (the first page in join order, or of the given users). */
export async function loadReadStates(
  db: AppDb,
  channelId: string,
  options: Pick<PageOptions, 'userIds'> = {},
): Promise<ReadState[]> {
  return (await memberPage(db, channelId, options)).map(toReadState);
}

/** Everything a client needs to show a channel: the newest messages, members, reads, draft. */
export async function loadChannelState(
  db: AppDb,
  actor: Actor,
  access: ChannelAccess,
  messageLimit: number = LIMITS.PAGE_SIZE_DEFAULT,
  /** Without members and read states: a recovered watch, whose replayed events carry what changed. */
  options: { withMembers?: boolean } = {},
): Promise<ChannelState> {
  const { channel } = access;
  let q = db
    .selectFrom('messages')
    .selectAll()
    .where('channel_id', '=', channel.id)
    .where('parent_id', 'is', null)
    // No shadowed message of another, nothing from a blocked user.
    .where((eb) => visibleMessages(eb, actor.userId));
  if (channel.truncated_at) q = q.where('created_at', '>', channel.truncated_at);
  const withMembers = options.withMembers !== false;
  const mine = access.membership?.app_user_id;
  const [rows, page, draft] = await Promise.all([
    messageLimit > 0 ? q.orderBy('seq', 'desc').limit(messageLimit).execute() : Promise.resolve([]),
    // Without the member list, the caller's own row is read beside the rest, not after it.
    withMembers
      ? memberPage(db, channel.id, {})
      : mine
        ? memberPage(db, channel.id, { userIds: [mine] })
        : Promise.resolve([]),
    actor.userId
      ? db
          .selectFrom('message_drafts')
          .selectAll()
          .where('channel_id', '=', channel.id)
          .where('app_user_id', '=', actor.userId)
          .where('parent_id', 'is', null)
          .executeTakeFirst()
      : Promise.resolve(undefined),
  ]);
  const members = withMembers ? page : [];
  const messages = await toMessages(db, rows.reverse(), () => access.cid, actor.userId);
  const membershipRow = mine
    ? (page.find((r) => r.app_user_id === mine) ??
      (withMembers ? (await memberPage(db, channel.id, { userIds: [mine] }))[0] : undefined))
    : undefined;
  const membership = membershipRow ? toMember(access.cid, membershipRow, membershipRow) : null;
  return {
    channel: toChannel(channel, access.createdBy),
    members: members.map((r) => toMember(access.cid, r, r)),
    messages,
    read: members.map(toReadState),
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
