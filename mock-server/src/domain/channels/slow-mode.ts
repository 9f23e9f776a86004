import { type Channel, type ChannelType, MODERATION_LIMITS } from '@chat/protocol';
import { appendChannelEvent } from '../../events/channel-events';
import type { Actor } from '../../kernel/actor';
import { ChatError } from '../../kernel/errors';
import type { AppDb } from '../../store/app-scope';
import type { DomainDeps } from '../deps';
import { recordModerationAction } from '../moderation/audit-log';
import { toChannel } from '../views';
import { type ChannelAccess, loadChannel, requireAccess } from './channel-access';
import { can } from './permissions';

/**
 * Slow mode: in a channel with a cooldown (`channels.slow_mode_s`), a member may send one message
 * (top-level or thread reply alike) per cooldown. Whoever may set slow mode (the `slow_mode`
 * action: moderators and channel admins, app admins) is exempt, and so is the app's backend.
 *
 * The member's last counted send is kept on the membership row, which every send already reads
 * with the channel: with slow mode off a send does nothing more. With it on, a send is refused
 * at once from that row when it is too early, and otherwise takes its turn inside the send's
 * transaction with one conditional update of the row, so that of two sends at once only one
 * passes (the second waits for the first's row lock, then finds the cooldown running).
 */

/** Seconds the actor must wait between sends in this channel: 0 when slow mode is off or they are exempt. */
export function slowModeCooldown(actor: Actor, access: ChannelAccess): number {
  const cooldown = access.channel.slow_mode_s ?? 0;
  if (cooldown === 0 || actor.server) return 0;
  return can(actor, access.channel.type, access.standing, 'slow_mode') ? 0 : cooldown;
}

/** Refuses a send from the membership row already read, when the cooldown still runs. */
export function requireCooledDown(access: ChannelAccess, cooldown: number, now = new Date()): void {
  const last = access.membership?.last_sent_at;
  if (cooldown > 0 && last) refuseIfEarly(new Date(last), cooldown, now);
}

/**
 * Takes the member's turn inside the send's transaction: moves its last send to `now` unless the
 * cooldown still runs, which it refuses (rolling the send back).
 */
export async function takeSlowModeTurn(
  tx: AppDb,
  access: ChannelAccess,
  senderId: string,
  cooldown: number,
  now: Date,
): Promise<void> {
  const since = new Date(now.getTime() - cooldown * 1000);
  const taken = await tx
    .updateTable('channel_members')
    .set({ last_sent_at: now })
    .where('channel_id', '=', access.channel.id)
    .where('app_user_id', '=', senderId)
    .where((eb) => eb.or([eb('last_sent_at', 'is', null), eb('last_sent_at', '<=', since)]))
    .returning('last_sent_at')
    .executeTakeFirst();
  if (taken) return;
  const row = await tx
    .selectFrom('channel_members')
    .select('last_sent_at')
    .where('channel_id', '=', access.channel.id)
    .where('app_user_id', '=', senderId)
    .executeTakeFirst();
  // No row: the sender left meanwhile; the send's own checks answer for that.
  if (row?.last_sent_at) refuseIfEarly(new Date(row.last_sent_at), cooldown, now);
}

function refuseIfEarly(last: Date, cooldown: number, now: Date): void {
  const waitMs = last.getTime() + cooldown * 1000 - now.getTime();
  if (waitMs <= 0) return;
  throw new ChatError('slow_mode', `Slow mode: one message every ${cooldown} s in this channel`, {
    retry_after_ms: Math.ceil(waitMs),
    slow_mode_s: cooldown,
  });
}

/** Sets (or, with 0, turns off) a channel's slow mode; announced as `channel.updated`. */
export async function setSlowMode(
  deps: DomainDeps,
  actor: Actor,
  type: ChannelType,
  id: string,
  seconds: number,
): Promise<Channel> {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MODERATION_LIMITS.SLOW_MODE_SECONDS_MAX) {
    throw new ChatError('validation_failed', 'slow_mode_s is out of range', {
      issues: [{ path: ['slow_mode_s'], message: `0 to ${MODERATION_LIMITS.SLOW_MODE_SECONDS_MAX} seconds` }],
    });
  }
  const access = await loadChannel(deps.db, actor, type, id);
  requireAccess(actor, access, 'slow_mode');
  const event = await deps.db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('channels')
      .set({ slow_mode_s: seconds, updated_at: new Date() })
      .where('id', '=', access.channel.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordModerationAction(tx, {
      action: 'channel.slow_mode',
      actor,
      channelId: row.id,
      details: { slow_mode_s: seconds },
    });
    return appendChannelEvent(tx, actor.appId, row.id, (seq, now) => ({
      type: 'channel.updated' as const,
      cid: access.cid,
      seq,
      created_at: now,
      channel: toChannel({ ...row, seq }, access.createdBy),
    }));
  });
  deps.publish({ appId: actor.appId, channelId: access.channel.id, event });
  return event.channel;
}
