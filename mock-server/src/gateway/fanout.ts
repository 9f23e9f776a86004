import type { EventOf } from '@chat/protocol';
import type { Logger } from 'pino';
import type { Envelope } from '../bus/envelope';
import type { Db } from '../domain/actor';
import type { Connection } from './connection';
import type { Registry } from './registry';

/**
 * Delivers one event from the bus to this node's sockets (seed §8): channel events to the sockets
 * watching the channel (authorized when they started watching), user-addressed events to those
 * users' sockets, and `notification.message_new` to members who are connected but not watching.
 * Watches that lose their right to read (removed, banned, channel deleted) stop here.
 */
export function fanOut(db: Db, registry: Registry, envelope: Envelope, logger: Logger): void {
  if (envelope.userIds) {
    for (const userId of envelope.userIds) {
      for (const conn of registry.ofUser(userId))
        if (conn.actor?.appId === envelope.appId) conn.send(envelope.bytes);
    }
  }
  const channelId = envelope.channelId;
  if (!channelId) return;

  const typing = envelope.type === 'typing.start' || envelope.type === 'typing.stop';
  const transient = typing || envelope.type === 'channel.watchers';
  if (!transient && envelope.seq !== undefined) registry.noteSeq(channelId, envelope.seq);
  const typist = typing ? (envelope.event as EventOf<'typing.start'>).user.id : null;
  for (const conn of registry.watchers(channelId)) {
    if (conn.actor?.appId !== envelope.appId) continue;
    // Typing goes to everyone but the typist.
    if (typist && conn.actor.externalId === typist) continue;
    conn.send(envelope.bytes);
  }

  const isUser = (externalId: string) => (conn: Connection) =>
    conn.actor?.appId === envelope.appId && conn.actor.externalId === externalId;
  switch (envelope.type) {
    case 'member.removed':
      registry.unwatchChannel(channelId, isUser((envelope.event as EventOf<'member.removed'>).user_id));
      break;
    case 'member.updated': {
      const { member } = envelope.event as EventOf<'member.updated'>;
      if (member.banned) registry.unwatchChannel(channelId, isUser(member.user_id));
      break;
    }
    case 'channel.deleted':
      registry.unwatchChannel(channelId);
      break;
    case 'message.new':
      notifyMembersNotWatching(db, registry, envelope, channelId).catch((error) =>
        logger.warn({ err: error }, 'notification fan-out failed'),
      );
      break;
  }
}

/** Members connected here but not watching learn of the message with their unread counts. */
async function notifyMembersNotWatching(db: Db, registry: Registry, envelope: Envelope, channelId: string) {
  const event = envelope.event as EventOf<'message.new'>;
  if (event.message.parent_id) return;
  const candidates: string[] = [];
  for (const userId of registry.users()) {
    const conns = registry.ofUser(userId);
    let watching = false;
    let sameApp = false;
    for (const conn of conns) {
      if (conn.actor?.appId === envelope.appId) sameApp = true;
      if (conn.watching.has(channelId)) watching = true;
    }
    if (sameApp && !watching) candidates.push(userId);
  }
  if (candidates.length === 0) return;
  const members = await db
    .selectFrom('channel_members')
    .select(['app_user_id', 'unread_count', 'is_banned'])
    .where('app_id', '=', envelope.appId)
    .where('channel_id', '=', channelId)
    .where('app_user_id', 'in', candidates)
    .execute();
  const recipients = members.filter((m) => !m.is_banned).map((m) => m.app_user_id);
  if (recipients.length === 0) return;
  const totals = await db
    .selectFrom('channel_members')
    .innerJoin('channels', 'channels.id', 'channel_members.channel_id')
    .select([
      'channel_members.app_user_id',
      (eb) => eb.fn.sum<number>('channel_members.unread_count').as('total'),
    ])
    .where('channel_members.app_id', '=', envelope.appId)
    .where('channel_members.app_user_id', 'in', recipients)
    .where('channels.deleted_at', 'is', null)
    .groupBy('channel_members.app_user_id')
    .execute();
  const totalOf = new Map(totals.map((t) => [t.app_user_id, Number(t.total)]));
  for (const member of members) {
    if (member.is_banned) continue;
    const json = JSON.stringify({
      type: 'notification.message_new',
      cid: event.cid,
      seq: event.seq,
      created_at: event.created_at,
      message: event.message,
      unread_count: member.unread_count,
      total_unread_count: totalOf.get(member.app_user_id) ?? member.unread_count,
    });
    for (const conn of registry.ofUser(member.app_user_id)) {
      // The sender's other devices already know: they hold the ack or will load the channel.
      if (conn.actor?.appId === envelope.appId && conn.actor.externalId !== event.message.user_id)
        conn.send(json);
    }
  }
}
