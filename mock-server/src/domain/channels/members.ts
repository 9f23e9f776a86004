import { type BanBody, type ChannelType, LIMITS, type Member, type MemberRole } from '@chat/protocol';
import { sql } from 'kysely';
import { appendChannelEvent } from '../../events/channel-events';
import type { Actor } from '../../kernel/actor';
import { ChatError, forbidden, notFound } from '../../kernel/errors';
import type { DomainDeps } from '../deps';
import { currentSeqOf } from '../reads/unread';
import { requireUsers } from '../users/users';
import { toChannel } from '../views';
import { type ChannelAccess, loadChannel, requireAccess } from './channel-access';
import { loadMembers } from './channel-state';

export async function listMembers(
  deps: DomainDeps,
  actor: Actor,
  type: ChannelType,
  id: string,
): Promise<Member[]> {
  const access = await loadChannel(deps.db, actor, type, id);
  requireAccess(actor, access, 'read');
  return loadMembers(deps.db, access);
}

/** Adds members; adding oneself is joining, which only open channel types allow. */
export async function addMembers(
  deps: DomainDeps,
  actor: Actor,
  type: ChannelType,
  id: string,
  userIds: string[],
): Promise<Member[]> {
  const { db } = deps;
  const access = await loadChannel(db, actor, type, id);
  const onlySelf = userIds.length === 1 && userIds[0] === actor.externalId;
  if (onlySelf && !access.membership) {
    requireAccess(actor, access, 'join');
  } else {
    requireAccess(actor, access, 'add_members');
  }
  const users = await requireUsers(db, userIds, 'user_ids');
  const { events, added } = await db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('channel_members')
      .values(
        users.map((u) => ({
          app_id: actor.appId,
          channel_id: access.channel.id,
          app_user_id: u.id,
          read_seq: currentSeqOf(tx, access.channel.id),
        })),
      )
      .onConflict((oc) => oc.columns(['channel_id', 'app_user_id']).doNothing())
      .returning('app_user_id')
      .execute();
    const added = inserted.map((r) => r.app_user_id);
    if (added.length === 0) return { events: [], added };
    const counted = await tx
      .updateTable('channels')
      .set({ member_count: sql`member_count + ${added.length}`, updated_at: new Date() })
      .where('id', '=', access.channel.id)
      .returning('member_count')
      .executeTakeFirstOrThrow();
    if (counted.member_count > LIMITS.MEMBERS_PER_CHANNEL) {
      throw new ChatError(
        'validation_failed',
        `A channel holds at most ${LIMITS.MEMBERS_PER_CHANNEL} members`,
      );
    }
    const members = await loadMembers(tx, access, { userIds: added });
    const events = [];
    for (const member of members) {
      events.push(
        await appendChannelEvent(tx, actor.appId, access.channel.id, (seq, now) => ({
          type: 'member.added' as const,
          cid: access.cid,
          seq,
          created_at: now,
          member,
        })),
      );
    }
    return { events, added };
  });
  for (const event of events) deps.publish({ appId: actor.appId, channelId: access.channel.id, event });
  const all = await loadMembers(db, access, { userIds: users.map((u) => u.id) });
  const fresh = events.length ? await loadChannel(db, actor, type, id) : access;
  // The first members, for the newcomers' clients to name a channel without a name by.
  const first = events.length ? await loadMembers(db, access, { limit: LIMITS.MEMBERS_PREVIEW }) : [];
  for (const event of events) {
    const user = users.find((u) => u.external_id === event.member.user_id);
    if (!user || !added.includes(user.id)) continue;
    deps.publish({
      appId: actor.appId,
      channelId: null,
      userIds: [user.id],
      event: {
        type: 'notification.added_to_channel',
        cid: access.cid,
        seq: event.seq,
        created_at: event.created_at,
        channel: toChannel(fresh.channel, fresh.createdBy),
        member: event.member,
        members: first,
      },
    });
  }
  return all;
}

/** Removes members. Anyone may leave; removing others takes a moderator. */
export async function removeMembers(
  deps: DomainDeps,
  actor: Actor,
  type: ChannelType,
  id: string,
  userIds: string[],
): Promise<Member[]> {
  const { db } = deps;
  const access = await loadChannel(db, actor, type, id);
  const onlySelf = userIds.length === 1 && userIds[0] === actor.externalId;
  if (onlySelf) requireAccess(actor, access, 'read');
  else requireAccess(actor, access, 'remove_members');
  const users = await requireUsers(db, userIds, 'user_ids');
  if (!onlySelf)
    await requireOutranks(
      deps,
      actor,
      access,
      users.map((u) => u.id).filter((u) => u !== actor.userId),
    );
  const events = await db.transaction().execute(async (tx) => {
    const removed = await tx
      .deleteFrom('channel_members')
      .where('channel_id', '=', access.channel.id)
      .where(
        'app_user_id',
        'in',
        users.map((u) => u.id),
      )
      .returning('app_user_id')
      .execute();
    if (removed.length === 0) return [];
    await tx
      .updateTable('channels')
      .set({ member_count: sql`member_count - ${removed.length}`, updated_at: new Date() })
      .where('id', '=', access.channel.id)
      .execute();
    const out = [];
    for (const r of removed) {
      const user = users.find((u) => u.id === r.app_user_id)!;
      out.push(
        await appendChannelEvent(tx, actor.appId, access.channel.id, (seq, now) => ({
          type: 'member.removed' as const,
          cid: access.cid,
          seq,
          created_at: now,
          user_id: user.external_id,
        })),
      );
    }
    return out;
  });
  for (const event of events) deps.publish({ appId: actor.appId, channelId: access.channel.id, event });
  return loadMembers(db, access);
}

/** Updates one member row and records `member.updated`. */
async function updateMember(
  deps: DomainDeps,
  actor: Actor,
  access: ChannelAccess,
  appUserId: string,
  set: { role?: MemberRole; is_muted?: boolean; is_banned?: boolean; ban_expires_at?: Date | null },
): Promise<Member[]> {
  const event = await deps.db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('channel_members')
      .set({ ...set, updated_at: new Date() })
      .where('channel_id', '=', access.channel.id)
      .where('app_user_id', '=', appUserId)
      .returning('id')
      .executeTakeFirst();
    if (!row) throw notFound('Member');
    const [member] = await loadMembers(tx, access, { userIds: [appUserId] });
    return appendChannelEvent(tx, actor.appId, access.channel.id, (seq, now) => ({
      type: 'member.updated' as const,
      cid: access.cid,
      seq,
      created_at: now,
      member: member!,
    }));
  });
  deps.publish({ appId: actor.appId, channelId: access.channel.id, event });
  return [event.member];
}

const RANK = { member: 1, moderator: 2, admin: 3 } as const;

/**
 * Moderation only reaches down: a moderator cannot ban or remove another moderator or an admin.
 * App admins and server-side calls are above every channel role.
 */
async function requireOutranks(deps: DomainDeps, actor: Actor, access: ChannelAccess, targetIds: string[]) {
  if (actor.server || actor.role === 'admin' || targetIds.length === 0) return;
  const mine = RANK[access.membership?.role ?? 'member'];
  const targets = await deps.db
    .selectFrom('channel_members')
    .select('role')
    .where('channel_id', '=', access.channel.id)
    .where('app_user_id', 'in', targetIds)
    .execute();
  if (targets.some((t) => RANK[t.role] >= mine)) {
    throw new ChatError('forbidden', 'You can only moderate members below your own role');
  }
}

async function targetUser(deps: DomainDeps, externalId: string) {
  const row = await deps.db
    .selectFrom('app_users')
    .select(['id', 'external_id'])
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  if (!row) throw notFound('Member');
  return row;
}

export async function setMemberRole(
  deps: DomainDeps,
  actor: Actor,
  type: ChannelType,
  id: string,
  userId: string,
  role: MemberRole,
): Promise<Member[]> {
  const access = await loadChannel(deps.db, actor, type, id);
  requireAccess(actor, access, 'set_role');
  const target = await targetUser(deps, userId);
  return updateMember(deps, actor, access, target.id, { role });
}

/** Mutes or unmutes the channel for the calling member. */
export async function setMuted(
  deps: DomainDeps,
  actor: Actor,
  type: ChannelType,
  id: string,
  muted: boolean,
): Promise<Member[]> {
  const access = await loadChannel(deps.db, actor, type, id);
  requireAccess(actor, access, 'read');
  if (!access.membership) throw notFound('Member');
  return updateMember(deps, actor, access, access.membership.app_user_id, { is_muted: muted });
}

export async function banMember(
  deps: DomainDeps,
  actor: Actor,
  type: ChannelType,
  id: string,
  body: BanBody,
): Promise<Member[]> {
  const access = await loadChannel(deps.db, actor, type, id);
  requireAccess(actor, access, 'ban');
  const target = await targetUser(deps, body.user_id);
  if (target.id === actor.userId) throw new ChatError('validation_failed', 'You cannot ban yourself');
  await requireOutranks(deps, actor, access, [target.id]);
  const expires = body.timeout ? new Date(Date.now() + body.timeout * 1000) : null;
  return updateMember(deps, actor, access, target.id, { is_banned: true, ban_expires_at: expires });
}

export async function unbanMember(
  deps: DomainDeps,
  actor: Actor,
  type: ChannelType,
  id: string,
  userId: string,
): Promise<Member[]> {
  const access = await loadChannel(deps.db, actor, type, id);
  requireAccess(actor, access, 'ban');
  const target = await targetUser(deps, userId);
  if (target.id === actor.userId) throw forbidden('Nobody can lift their own ban');
  await requireOutranks(deps, actor, access, [target.id]);
  return updateMember(deps, actor, access, target.id, { is_banned: false, ban_expires_at: null });
}
