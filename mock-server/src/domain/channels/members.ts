import { type BanBody, type ChannelType, LIMITS, type Member, type MemberRole } from '@chat/protocol';
import { sql } from 'kysely';
import { appendChannelEvent } from '../../events/channel-events';
import type { Actor } from '../../kernel/actor';
import { ChatError, forbidden, notFound } from '../../kernel/errors';
import type { DomainDeps } from '../deps';
import { type ModerationContext, recordModerationAction } from '../moderation/audit-log';
import { currentSeqOf } from '../reads/unread';
import { requireUsers } from '../users/users';
import { toChannel } from '../views';
import { type ChannelAccess, loadChannel, requireAccess } from './channel-access';
import { loadMembers } from './channel-state';
import { publishSystemMessage, type SystemMessageInput, writeSystemMessage } from './system-messages';

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
  const { events, added, note } = await db.transaction().execute(async (tx) => {
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
    if (added.length === 0) return { events: [], added, note: null };
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
    const note = await writeSystemMessage(tx, access, {
      kind: onlySelf && !access.membership ? 'member.joined' : 'member.added',
      actor,
      targetIds: added,
    });
    return { events, added, note };
  });
  for (const event of events) deps.publish({ appId: actor.appId, channelId: access.channel.id, event });
  publishSystemMessage(deps, access, note);
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
  const { events, note } = await db.transaction().execute(async (tx) => {
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
    if (removed.length === 0) return { events: [], note: null };
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
    const note = await writeSystemMessage(tx, access, {
      kind: onlySelf ? 'member.left' : 'member.removed',
      actor,
      targetIds: removed.map((r) => r.app_user_id),
    });
    return { events: out, note };
  });
  for (const event of events) deps.publish({ appId: actor.appId, channelId: access.channel.id, event });
  publishSystemMessage(deps, access, note);
  return loadMembers(db, access);
}

/** Updates one member row and records `member.updated`. */
async function updateMember(
  deps: DomainDeps,
  actor: Actor,
  access: ChannelAccess,
  appUserId: string,
  set: { role?: MemberRole; is_muted?: boolean; is_banned?: boolean; ban_expires_at?: Date | null },
  /** A moderator action (ban, unban): its audit record, and a review action's own writes. */
  audit?: { action: string; context?: ModerationContext },
  /** A system message about the change, written after its event. */
  system?: Omit<SystemMessageInput, 'actor' | 'targetIds'>,
): Promise<Member[]> {
  const { event, note } = await deps.db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('channel_members')
      .set({ ...set, updated_at: new Date() })
      .where('channel_id', '=', access.channel.id)
      .where('app_user_id', '=', appUserId)
      .returning('id')
      .executeTakeFirst();
    if (!row) throw notFound('Member');
    if (audit) {
      const { context } = audit;
      await recordModerationAction(tx, {
        action: audit.action,
        actor,
        targetUserId: appUserId,
        channelId: access.channel.id,
        reason: context?.reason ?? null,
        details: {
          ...(set.ban_expires_at && { expires_at: set.ban_expires_at.toISOString() }),
          ...context?.details,
        },
      });
      await context?.within?.(tx);
    }
    const [member] = await loadMembers(tx, access, { userIds: [appUserId] });
    const event = await appendChannelEvent(tx, actor.appId, access.channel.id, (seq, now) => ({
      type: 'member.updated' as const,
      cid: access.cid,
      seq,
      created_at: now,
      member: member!,
    }));
    const note = system
      ? await writeSystemMessage(tx, access, { ...system, actor, targetIds: [appUserId] })
      : null;
    return { event, note };
  });
  deps.publish({ appId: actor.appId, channelId: access.channel.id, event });
  publishSystemMessage(deps, access, note);
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
  return updateMember(deps, actor, access, target.id, { role }, undefined, {
    kind: 'member.role_changed',
    role,
  });
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
  /** From a review action (domain/moderation/review-actions.ts). */
  context?: ModerationContext,
): Promise<Member[]> {
  const access = await loadChannel(deps.db, actor, type, id);
  requireAccess(actor, access, 'ban');
  const target = await targetUser(deps, body.user_id);
  if (target.id === actor.userId) throw new ChatError('validation_failed', 'You cannot ban yourself');
  await requireOutranks(deps, actor, access, [target.id]);
  const expires = body.timeout ? new Date(Date.now() + body.timeout * 1000) : null;
  return updateMember(
    deps,
    actor,
    access,
    target.id,
    { is_banned: true, ban_expires_at: expires },
    { action: 'channel.banned', context: { reason: body.reason ?? null, ...context } },
    { kind: 'member.banned', expiresAt: expires },
  );
}

export async function unbanMember(
  deps: DomainDeps,
  actor: Actor,
  type: ChannelType,
  id: string,
  userId: string,
  /** From a review action (domain/moderation/review-actions.ts). */
  context?: ModerationContext,
): Promise<Member[]> {
  const access = await loadChannel(deps.db, actor, type, id);
  requireAccess(actor, access, 'ban');
  const target = await targetUser(deps, userId);
  if (target.id === actor.userId) throw forbidden('Nobody can lift their own ban');
  await requireOutranks(deps, actor, access, [target.id]);
  return updateMember(
    deps,
    actor,
    access,
    target.id,
    { is_banned: false, ban_expires_at: null },
    { action: 'channel.unbanned', context },
    { kind: 'member.unbanned' },
  );
}
