import { CLOSE_CODES, type EventOf, makeError } from '@chat/protocol';
import type { Logger } from 'pino';
import type { Envelope } from '../bus/envelope';
import { useAppPermissions } from '../domain/channels/permissions';
import { failureLevel } from '../kernel/dependency-status';
import type { DataAccess } from '../store/data-access';
import type { Connection } from './connection';
import { applyBlockChange, hiddenFrame, sightFor, unquotedFrame } from './hidden-events';
import { deliverToMembers } from './member-audience';
import type { MemberDirectory } from './member-directory';
import { notifyMembersNotWatching } from './notifications';
import type { Registry } from './registry';
import { encodeTextFrame } from './text-frame';

export interface FanOutContext {
  data: DataAccess;
  registry: Registry;
  directory: MemberDirectory;
  logger: Logger;
}

/**
 * Delivers one event from the bus to this node's sockets (seed §8): channel events to the sockets
 * watching the channel (authorized when they started watching), user-addressed events to those
 * users' sockets, and `notification.message_new` to members who are connected but not watching.
 * Watches that lose their right to read (removed, banned, channel deleted) stop here.
 */
export function fanOut({ data, registry, directory, logger }: FanOutContext, envelope: Envelope): void {
  if (envelope.appClosed) {
    closeAppSockets(registry, envelope.appId);
    return;
  }
  // The app's permission table changed: this node's sockets are judged by it from now on.
  if (envelope.appPermissions) {
    useAppPermissions(envelope.appId, envelope.appPermissions);
    return;
  }
  if (envelope.userIds) {
    for (const userId of envelope.userIds) {
      for (const conn of registry.ofUser(userId)) {
        if (conn.actor?.appId !== envelope.appId) continue;
        // A shadow ban taken or lifted: for this node to apply, never sent (the user is not told).
        if (envelope.standing) {
          conn.shadowBanned = envelope.standing.shadowBanned;
          continue;
        }
        // User safety: the socket keeps its user's blocks; a banned user's sockets
        // hear why, then close, on every node.
        if (envelope.type === 'user.blocked' || envelope.type === 'user.unblocked')
          applyBlockChange(conn, envelope);
        conn.send(envelope.bytes);
        if (envelope.type === 'user.banned') conn.close(CLOSE_CODES.APP_BANNED, 'app_banned');
      }
    }
  }
  if (envelope.membersOf) {
    deliverToMembers(registry, directory, envelope).catch((error) =>
      logger[failureLevel('warn')]({ err: error }, 'member fan-out failed'),
    );
  }
  const channelId = envelope.channelId;
  if (!channelId) return;

  const typing = envelope.type === 'typing.start' || envelope.type === 'typing.stop';
  const transient = typing || envelope.type === 'channel.watchers';
  if (!transient && envelope.seq !== undefined) registry.noteSeq(channelId, envelope.seq);
  const typist = typing ? (envelope.event as EventOf<'typing.start'>).user.id : null;
  const watchers = registry.watchers(channelId);
  // Framed once, written as it is to every watcher: per socket, one write and nothing else.
  const frame = watchers.size > 0 ? encodeTextFrame(envelope.bytes) : null;
  for (const conn of watchers) {
    if (conn.actor?.appId !== envelope.appId) continue;
    // Typing goes to everyone but the typist.
    if (typist && conn.actor.externalId === typist) continue;
    // A shadowed message, or one of a user this socket's user blocked, goes as a
    // placeholder with its seq; a quote of a blocked user's message is left out. Two field
    // reads per socket when nothing is hidden.
    const sight = sightFor(envelope, conn);
    if (sight === 'hidden') {
      const placeholder = hiddenFrame(envelope);
      if (placeholder) conn.sendFrameBytes(placeholder);
      continue;
    }
    conn.sendFrameBytes(sight === 'unquoted' ? unquotedFrame(envelope) : frame!);
  }

  const isUser = (externalId: string) => (conn: Connection) =>
    conn.actor?.appId === envelope.appId && conn.actor.externalId === externalId;
  switch (envelope.type) {
    case 'member.added':
      directory.invalidate(channelId);
      break;
    case 'member.removed':
      directory.invalidate(channelId);
      registry.unwatchChannel(channelId, isUser((envelope.event as EventOf<'member.removed'>).user_id));
      break;
    case 'member.updated': {
      directory.invalidate(channelId);
      const { member } = envelope.event as EventOf<'member.updated'>;
      if (member.banned) registry.unwatchChannel(channelId, isUser(member.user_id));
      break;
    }
    case 'channel.deleted':
      directory.invalidate(channelId);
      registry.unwatchChannel(channelId);
      break;
    case 'message.new':
      notifyMembersNotWatching(data.forApp(envelope.appId), registry, directory, envelope, channelId).catch(
        (error) => logger[failureLevel('warn')]({ err: error }, 'notification fan-out failed'),
      );
      break;
  }
}

/** The application was disabled or deleted: its sockets on this node hear why, then close. */
function closeAppSockets(registry: Registry, appId: string): void {
  const error = makeError(
    'app_disabled',
    'This application is disabled; its team can enable it in the portal',
  );
  for (const userId of [...registry.users()]) {
    for (const conn of [...registry.ofUser(userId)]) {
      if (conn.actor?.appId !== appId) continue;
      conn.sendFrame({ type: 'error', error });
      conn.close(CLOSE_CODES.APP_DISABLED, 'app_disabled');
    }
  }
}
