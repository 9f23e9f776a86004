import type { EventOf, MemberRole, SystemMessageInfo, SystemMessageKind } from '@chat/protocol';
import { sql } from 'kysely';
import { recordChannelEvent } from '../../events/channel-events';
import type { Actor } from '../../kernel/actor';
import type { AppDb } from '../../store/app-scope';
import type { AppUserRow } from '../../store/schema';
import type { DomainDeps } from '../deps';
import { toMessages } from '../views';
import type { ChannelAccess } from './channel-access';

/**
 * System messages: the server's own `type: 'system'` messages reporting a change to a channel
 * (membership, roles, bans, freeze, truncation), written in the change's transaction so that
 * the change and its message commit together, in the channel's seq order. Each carries what
 * happened as data (`system`: kind, actor, targets) for clients to render and translate, and a
 * plain English `text` for those that do not.
 *
 * They are messages like any other for reading, paging and recovery (`since`), but they do not
 * count as unread (domain/reads/unread.ts), do not move the channel's `last_message_at`, and
 * push no notification (push/push-producer.ts, realtime/notifications.ts). Nobody can edit one;
 * only a moderator can delete one.
 */
export interface SystemMessageInput {
  kind: SystemMessageKind;
  actor: Actor;
  /** Internal ids (`app_users.id`) of the users the change is about. */
  targetIds?: readonly string[];
  /** `member.role_changed`: the new role. */
  role?: MemberRole;
  /** `member.banned`: when the ban ends (null: never). */
  expiresAt?: Date | null;
}

/** Targets named in the default text; the rest are counted ("and 7 others"). */
const NAMED_TARGETS = 5;

/**
 * Writes a system message in the caller's transaction (taking the channel's next seq) and logs
 * its `message.new`; returns the event, to publish after the commit with `publishSystemMessage`.
 *
 * A message needs an author row: the acting user; for the app's backend (a server token, no
 * user), the first user the change is about, else the channel's creator, else its oldest admin or
 * member. A channel with none of those (no members, creator gone) gets no system message (null).
 */
export async function writeSystemMessage(
  tx: AppDb,
  access: ChannelAccess,
  input: SystemMessageInput,
): Promise<EventOf<'message.new'> | null> {
  const { actor } = input;
  const targetIds = [...new Set(input.targetIds ?? [])];
  const authorId =
    actor.userId ?? targetIds[0] ?? access.channel.created_by ?? (await anyMember(tx, access.channel.id));
  if (!authorId) return null;
  const ids = [...new Set([authorId, ...(actor.userId ? [actor.userId] : []), ...targetIds])];
  const users = await tx.selectFrom('app_users').selectAll().where('id', 'in', ids).execute();
  const byId = new Map(users.map((u) => [u.id, u]));
  const targets = targetIds.flatMap((id) => byId.get(id) ?? []);
  const actorRow = actor.userId ? (byId.get(actor.userId) ?? null) : null;
  if (!byId.has(authorId)) return null;

  const system: SystemMessageInfo = {
    kind: input.kind,
    actor_id: actorRow?.external_id ?? null,
    target_ids: targets.map((u) => u.external_id),
    ...(input.role !== undefined && { role: input.role }),
    ...(input.expiresAt !== undefined && {
      expires_at: input.expiresAt ? input.expiresAt.toISOString() : null,
    }),
  };
  // The next seq, stamped after the channel's truncated_at (as a send is: see send-message.ts),
  // so the message a truncate writes about itself is not hidden by it. Unlike a send, it leaves
  // `last_message_at` alone: a change to the channel is not conversation.
  const stamp = sql<Date>`greatest(${new Date()}::timestamptz, truncated_at + interval '1 millisecond')`;
  const taken = await tx
    .updateTable('channels')
    .set({ seq: sql`seq + 1` })
    .where('id', '=', access.channel.id)
    .returning(['seq', stamp.as('stamp')])
    .executeTakeFirstOrThrow();
  const seq = Number(taken.seq);
  const now = new Date(taken.stamp);
  const row = await tx
    .insertInto('messages')
    .values({
      app_id: actor.appId,
      channel_id: access.channel.id,
      app_user_id: authorId,
      seq,
      client_msg_id: null,
      type: 'system',
      text: defaultText(input, actorRow, targets),
      system: JSON.stringify(system),
      link_previews_off: true,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const [message] = await toMessages(tx, [row], () => access.cid, null, {
    users: users as AppUserRow[],
  });
  const event = {
    type: 'message.new' as const,
    cid: access.cid,
    seq,
    created_at: now.toISOString(),
    message: message!,
  };
  await recordChannelEvent(tx, actor.appId, access.channel.id, event);
  return event;
}

/** Publishes a system message's event after its transaction committed (none: nothing). */
export function publishSystemMessage(
  deps: DomainDeps,
  access: ChannelAccess,
  event: EventOf<'message.new'> | null,
): void {
  if (event) deps.publish({ appId: access.channel.app_id, channelId: access.channel.id, event });
}

/** The channel's oldest admin, else its oldest member: an author for a backend's change. */
async function anyMember(tx: AppDb, channelId: string): Promise<string | null> {
  const row = await tx
    .selectFrom('channel_members')
    .select('app_user_id')
    .where('channel_id', '=', channelId)
    .orderBy(sql`role = 'admin'`, 'desc')
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
  return row?.app_user_id ?? null;
}

const nameOf = (u: Pick<AppUserRow, 'display_name' | 'external_id'>) => u.display_name ?? u.external_id;

/** "bob", "bob and carol", "bob, carol and dave", "a, b, c, d, e and 3 others". */
function listOf(users: readonly AppUserRow[]): string {
  const names = users.slice(0, NAMED_TARGETS).map(nameOf);
  const others = users.length - names.length;
  if (others > 0) return `${names.join(', ')} and ${others} other${others === 1 ? '' : 's'}`;
  if (names.length <= 1) return names[0] ?? 'nobody';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** The plain English default of a system message; clients translate from `system` instead. */
function defaultText(input: SystemMessageInput, actor: AppUserRow | null, targets: AppUserRow[]): string {
  const who = actor ? nameOf(actor) : null;
  const them = listOf(targets);
  const were = targets.length === 1 ? 'was' : 'were';
  const role = input.role === 'admin' ? 'an admin' : `a ${input.role ?? 'member'}`;
  switch (input.kind) {
    case 'member.added':
      return who ? `${who} added ${them}` : `${them} ${were} added`;
    case 'member.joined':
      return `${who ?? them} joined`;
    case 'member.removed':
      return who ? `${who} removed ${them}` : `${them} ${were} removed`;
    case 'member.left':
      return `${who ?? them} left`;
    case 'member.role_changed':
      return who
        ? `${who} made ${them} ${role}`
        : `${them} ${targets.length === 1 ? 'is' : 'are'} now ${role}`;
    case 'member.banned':
      return who ? `${who} banned ${them}` : `${them} ${were} banned`;
    case 'member.unbanned':
      return who ? `${who} lifted the ban on ${them}` : `The ban on ${them} was lifted`;
    case 'channel.frozen':
      return who ? `${who} froze the channel` : 'The channel was frozen';
    case 'channel.unfrozen':
      return who ? `${who} unfroze the channel` : 'The channel was unfrozen';
    case 'channel.truncated':
      return who ? `${who} cleared the channel's history` : "The channel's history was cleared";
  }
}
