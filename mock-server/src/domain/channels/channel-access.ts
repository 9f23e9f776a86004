import type { ChannelType } from '@chat/protocol';
import { sql } from 'kysely';
import type { Actor } from '../../kernel/actor';
import { ChatError, notFound } from '../../kernel/errors';
import type { AppDb } from '../../store/app-scope';
import type { ChannelRow, MemberRow } from '../../store/schema';
import { type Action, authorize, type ChannelStanding, can } from './permissions';

export interface ChannelAccess {
  channel: ChannelRow;
  /** External id of the creator, for the wire. */
  createdBy: string | null;
  cid: string;
  membership: MemberRow | null;
  standing: ChannelStanding;
  banned: boolean;
}

/** Loads a live channel of the actor's app with the actor's standing in it; 404 if absent. */
export function loadChannel(db: AppDb, actor: Actor, type: ChannelType, id: string): Promise<ChannelAccess> {
  return findChannel(db, actor, (q) =>
    q.where('channels.type', '=', type).where('channels.external_id', '=', id),
  );
}

/** Same as `loadChannel` for a channel found by its internal id (e.g. from a message). */
export function loadChannelById(db: AppDb, actor: Actor, channelId: string): Promise<ChannelAccess> {
  return findChannel(db, actor, (q) => q.where('channels.id', '=', channelId));
}

/** The actor's membership columns, selected beside the channel's under a prefix (one round trip). */
const MEMBER_COLUMNS = [
  'id',
  'app_id',
  'channel_id',
  'app_user_id',
  'role',
  'read_seq',
  'is_muted',
  'is_banned',
  'ban_expires_at',
  // Slow mode's last counted send: read with the channel, so a send checks it for free.
  'last_sent_at',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof MemberRow)[];
const MEMBER_PREFIX = 'member__';

function channelQuery(db: AppDb, actor: Actor) {
  return (
    db
      .selectFrom('channels')
      .leftJoin('app_users as creator', 'creator.id', 'channels.created_by')
      // A user's own membership comes with the channel: every access check needs it.
      .leftJoin('channel_members as me', (join) =>
        join.onRef('me.channel_id', '=', 'channels.id').on('me.app_user_id', '=', actor.userId ?? null),
      )
      .selectAll('channels')
      .select('creator.external_id as created_by_external')
      .select(MEMBER_COLUMNS.map((c) => sql.ref(`me.${c}`).as(`${MEMBER_PREFIX}${c}`)))
      .where('channels.deleted_at', 'is', null)
  );
}

async function findChannel(
  db: AppDb,
  actor: Actor,
  narrow: (q: ReturnType<typeof channelQuery>) => ReturnType<typeof channelQuery>,
): Promise<ChannelAccess> {
  const row = (await narrow(channelQuery(db, actor)).executeTakeFirst()) as
    | (ChannelRow & { created_by_external: string | null } & Record<string, unknown>)
    | undefined;
  if (!row) throw notFound('Channel');
  const channel = {} as Record<string, unknown>;
  const member = {} as Record<string, unknown>;
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith(MEMBER_PREFIX)) member[key.slice(MEMBER_PREFIX.length)] = value;
    else if (key !== 'created_by_external') channel[key] = value;
  }
  const membership = actor.userId && member.id != null ? (member as unknown as MemberRow) : null;
  return toAccess(channel as unknown as ChannelRow, row.created_by_external, membership);
}

function toAccess(
  channel: ChannelRow,
  createdBy: string | null,
  membership: MemberRow | null,
): ChannelAccess {
  const banned =
    !!membership?.is_banned && (!membership.ban_expires_at || membership.ban_expires_at > new Date());
  return {
    channel,
    createdBy,
    cid: `${channel.type}:${channel.external_id}`,
    membership,
    standing: membership?.role ?? 'none',
    banned,
  };
}

/**
 * Throws unless the actor may take `action` in the channel. A channel the actor may not read
 * answers 404, so private conversations are never confirmed to exist. A ban takes away every
 * power in the channel, whatever the member's role (a banned moderator cannot ban, remove or
 * lift his own ban) and even an app admin's; only the app's backend (a server token) acts past it.
 */
export function requireAccess(actor: Actor, access: ChannelAccess, action: Action): void {
  const type = access.channel.type;
  if (!can(actor, type, access.standing, 'read')) throw notFound('Channel');
  if (access.banned && !actor.server) {
    throw new ChatError('user_banned', 'You are banned from this channel');
  }
  authorize(actor, type, access.standing, action);
}
