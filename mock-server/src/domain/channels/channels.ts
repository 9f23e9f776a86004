import {
  type Channel,
  type ChannelState,
  type ChannelType,
  type CreateChannelBody,
  LIMITS,
  type UpdateChannelBody,
} from '@chat/protocol';
import { appendChannelEvent, bumpSeq, recordChannelEvent } from '../../events/channel-events';
import type { Actor } from '../../kernel/actor';
import { ChatError } from '../../kernel/errors';
import type { DomainDeps } from '../deps';
import { recordModerationAction } from '../moderation/audit-log';
import { requireNoBlockBetween } from '../moderation/user-blocks';
import { requireUsers } from '../users/users';
import { toChannel } from '../views';
import { type ChannelAccess, loadChannel, requireAccess } from './channel-access';
import { loadChannelState } from './channel-state';
import { publishSystemMessage, type SystemMessageInput, writeSystemMessage } from './system-messages';

/**
 * Creates a channel, or returns the existing one: a channel with the same id, or the distinct
 * channel of the same member list. The creator becomes its admin.
 */
export async function createChannel(
  deps: DomainDeps,
  actor: Actor,
  body: CreateChannelBody,
): Promise<{ state: ChannelState; created: boolean }> {
  const { db } = deps;
  // Like `user_id` on a send: a user creates as themselves; naming another is refused, not ignored.
  if (!actor.server && body.created_by_id !== undefined && body.created_by_id !== actor.externalId) {
    throw new ChatError('forbidden', 'Only server-side calls may create a channel for another user', {
      issues: [{ path: ['created_by_id'], message: 'Only server-side calls may set another creator' }],
    });
  }
  const creatorExternal = actor.server ? body.created_by_id : actor.externalId;
  if (!creatorExternal) {
    throw new ChatError('validation_failed', 'Server-side calls must give created_by_id', {
      issues: [{ path: ['created_by_id'], message: 'Required for server-side calls' }],
    });
  }
  const memberIds = [...new Set([creatorExternal, ...(body.members ?? [])])];
  if (memberIds.length > LIMITS.MEMBERS_PER_CHANNEL) {
    throw new ChatError('validation_failed', `A channel holds at most ${LIMITS.MEMBERS_PER_CHANNEL} members`);
  }
  const users = await requireUsers(db, memberIds, 'members');
  const creator = users.find((u) => u.external_id === creatorExternal)!;
  // User safety: no direct conversation between two users of whom one blocked the
  // other, asked only when a block involves one of them (the rows just read say so).
  if (body.type === 'messaging' && users.length === 2 && users.some((u) => u.block_count > 0))
    await requireNoBlockBetween(
      db,
      users.map((u) => u.id),
    );
  const distinctKey = body.id ? null : [...memberIds].sort().join(',');
  const externalId = body.id ?? `!members-${hashKey(distinctKey!)}`;

  const existing = await findExisting(deps, actor, body.type, externalId);
  if (existing) return { state: existing, created: false };

  const result = await db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('channels')
      .values({
        app_id: actor.appId,
        type: body.type,
        external_id: externalId,
        name: body.name ?? null,
        image: body.image ?? null,
        custom: JSON.stringify(body.custom ?? {}),
        created_by: creator.id,
        distinct_key: distinctKey,
        member_count: users.length,
      })
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!inserted) return null;
    await tx
      .insertInto('channel_members')
      .values(
        users.map((u) => ({
          app_id: actor.appId,
          channel_id: inserted.id,
          app_user_id: u.id,
          role: u.id === creator.id ? ('admin' as const) : ('member' as const),
          read_seq: inserted.seq,
        })),
      )
      .execute();
    const event = await appendChannelEvent(tx, actor.appId, inserted.id, (seq, now) => ({
      type: 'channel.created' as const,
      cid: `${inserted.type}:${inserted.external_id}`,
      seq,
      created_at: now,
      channel: toChannel({ ...inserted, seq }, creator.external_id),
    }));
    return { channelId: inserted.id, event };
  });
  if (!result) {
    // Lost a race with an identical create: the other one's channel is the answer.
    const state = await findExisting(deps, actor, body.type, externalId);
    if (state) return { state, created: false };
    // Nothing live holds the id: a deleted channel does, and its id is never handed out again.
    throw new ChatError('conflict', 'This id belonged to a deleted channel; choose another');
  }
  deps.publish({ appId: actor.appId, channelId: result.channelId, event: result.event });
  const access = await loadChannel(db, actor, body.type, externalId);
  const state = await loadChannelState(db, actor, access);
  for (const member of state.members) {
    deps.publish({
      appId: actor.appId,
      channelId: null,
      userIds: users.filter((u) => u.external_id === member.user_id).map((u) => u.id),
      event: {
        type: 'notification.added_to_channel',
        cid: access.cid,
        seq: state.channel.seq,
        created_at: result.event.created_at,
        channel: state.channel,
        member,
        members: state.members.slice(0, LIMITS.MEMBERS_PREVIEW),
      },
    });
  }
  return { state, created: true };
}

/**
 * The state of the channel with this id, if there is one. One the caller may not read answers
 * as a read would (404, or `user_banned`), never "taken": that would confirm that a private
 * conversation exists.
 */
async function findExisting(deps: DomainDeps, actor: Actor, type: ChannelType, id: string) {
  let access: ChannelAccess;
  try {
    access = await loadChannel(deps.db, actor, type, id);
  } catch (error) {
    if (error instanceof ChatError && error.body.code === 'not_found') return null;
    throw error;
  }
  requireAccess(actor, access, 'read');
  return loadChannelState(deps.db, actor, access);
}

/** A short, stable id for a distinct channel's member list. */
function hashKey(key: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x811c9dc5) >>> 0;
  }
  return h1.toString(36) + h2.toString(36);
}

export async function getChannel(
  deps: DomainDeps,
  actor: Actor,
  type: ChannelType,
  id: string,
  messageLimit?: number,
): Promise<ChannelState> {
  const access = await loadChannel(deps.db, actor, type, id);
  requireAccess(actor, access, 'read');
  return loadChannelState(deps.db, actor, access, messageLimit);
}

/** Runs a change to a channel row and records the event it produces. */
async function changeChannel(
  deps: DomainDeps,
  actor: Actor,
  access: ChannelAccess,
  set: Record<string, unknown>,
  type: 'channel.updated' | 'channel.deleted',
  /** A moderator action (freeze, unfreeze): recorded in the moderation audit log. */
  auditAction?: string,
  /** A system message about the change, written after its event. */
  system?: Omit<SystemMessageInput, 'actor'>,
): Promise<Channel> {
  const { event, channel, note } = await deps.db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('channels')
      .set({ ...set, updated_at: new Date() })
      .where('id', '=', access.channel.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (auditAction) await recordModerationAction(tx, { action: auditAction, actor, channelId: row.id });
    const event = await appendChannelEvent(tx, actor.appId, row.id, (seq, now) => ({
      type,
      cid: access.cid,
      seq,
      created_at: now,
      channel: toChannel({ ...row, seq }, access.createdBy),
    }));
    const note = system ? await writeSystemMessage(tx, access, { ...system, actor }) : null;
    return { event, channel: event.channel, note };
  });
  deps.publish({ appId: actor.appId, channelId: access.channel.id, event });
  publishSystemMessage(deps, access, note);
  return channel;
}

export async function updateChannel(
  deps: DomainDeps,
  actor: Actor,
  type: ChannelType,
  id: string,
  body: UpdateChannelBody,
): Promise<Channel> {
  const access = await loadChannel(deps.db, actor, type, id);
  requireAccess(actor, access, 'update_channel');
  return changeChannel(
    deps,
    actor,
    access,
    {
      ...(body.name !== undefined && { name: body.name }),
      ...(body.image !== undefined && { image: body.image }),
      ...(body.custom !== undefined && { custom: JSON.stringify(body.custom) }),
    },
    'channel.updated',
  );
}

export async function deleteChannel(
  deps: DomainDeps,
  actor: Actor,
  type: ChannelType,
  id: string,
): Promise<Channel> {
  const access = await loadChannel(deps.db, actor, type, id);
  requireAccess(actor, access, 'delete_channel');
  return changeChannel(deps, actor, access, { deleted_at: new Date() }, 'channel.deleted');
}

export async function setFrozen(
  deps: DomainDeps,
  actor: Actor,
  type: ChannelType,
  id: string,
  frozen: boolean,
): Promise<Channel> {
  const access = await loadChannel(deps.db, actor, type, id);
  requireAccess(actor, access, 'freeze');
  const audit = frozen ? 'channel.frozen' : 'channel.unfrozen';
  // Said in the channel only when it changes (freezing a frozen channel reports nothing).
  const system = access.channel.is_frozen === frozen ? undefined : ({ kind: audit } as const);
  return changeChannel(deps, actor, access, { is_frozen: frozen }, 'channel.updated', audit, system);
}

/**
 * Hides every message sent so far and resets unread counts. The cut is made under the channel's
 * row lock, taken first: every message ordered before the truncate in the channel's sequence has
 * committed with an earlier (or equal) created_at, and every later one waits and is stamped after
 * `truncated_at` (see `insertMessage`), so hiding by time hides exactly what the event log says.
 */
export async function truncateChannel(
  deps: DomainDeps,
  actor: Actor,
  type: ChannelType,
  id: string,
): Promise<Channel> {
  const access = await loadChannel(deps.db, actor, type, id);
  requireAccess(actor, access, 'truncate');
  const channelId = access.channel.id;
  const result = await deps.db.transaction().execute(async (tx) => {
    const seq = await bumpSeq(tx, channelId);
    const now = new Date();
    await tx
      .updateTable('channel_members')
      .set({ read_seq: seq })
      .where('channel_id', '=', channelId)
      .execute();
    const row = await tx
      .updateTable('channels')
      .set({ truncated_at: now, last_message_at: null, updated_at: now })
      .where('id', '=', channelId)
      .returningAll()
      .executeTakeFirstOrThrow();
    const event = {
      type: 'channel.truncated' as const,
      cid: access.cid,
      seq,
      created_at: now.toISOString(),
      channel: toChannel({ ...row, seq }, access.createdBy),
    };
    await recordChannelEvent(tx, actor.appId, channelId, event);
    await recordModerationAction(tx, { action: 'channel.truncated', actor, channelId });
    // Stamped after truncated_at, so the one message left says what happened.
    const note = await writeSystemMessage(tx, access, { kind: 'channel.truncated', actor });
    return { event, note };
  });
  deps.publish({ appId: actor.appId, channelId, event: result.event });
  publishSystemMessage(deps, access, result.note);
  return result.event.channel;
}
