import { type AckResult, type ClientFrame, LIMITS, parseCid, type UserRef } from '@chat/protocol';
import { type ChannelAccess, loadChannel, requireAccess } from '../domain/channels/channel-access';
import { loadChannelState } from '../domain/channels/channel-state';
import type { DomainDeps } from '../domain/deps';
import { deleteMessage, updateMessage } from '../domain/messages/messages';
import { setReaction } from '../domain/messages/reactions';
import { sendMessage } from '../domain/messages/send-message';
import { markRead } from '../domain/reads/reads';
import type { Actor } from '../kernel/actor';
import { ChatError } from '../kernel/errors';
import type { WriteBudget } from '../limits/write-budget';
import type { Connection } from './connection';
import { replaySince } from './recovery';
import type { Registry } from './registry';
import type { TypingTracker } from './typing';

export interface TypingInfo {
  appId: string;
  channelId: string;
  cid: string;
  userId: string;
  user: UserRef;
  parentId: string | null;
}

export interface FrameContext {
  /** The domain's dependencies over one application's data. */
  depsFor: (appId: string) => DomainDeps;
  registry: Registry;
  typing: TypingTracker<TypingInfo>;
  writes: WriteBudget;
  /** Publishes a typing event (never stored, so it carries the channel's current seq). */
  publishTyping(info: TypingInfo, type: 'typing.start' | 'typing.stop'): Promise<void>;
  /** Users watching a channel now, across every node. */
  watcherCount(channelId: string): Promise<number>;
}

type RequestFrame = Exclude<ClientFrame, { type: 'auth' }>;

/**
 * Serves an authenticated socket's request frame with the same domain code as the REST routes:
 * same validation, same permissions. Returns the `ack` result; a thrown `ChatError` becomes the
 * `error` frame.
 */
export async function handleFrame(
  ctx: FrameContext,
  conn: Connection,
  actor: Actor,
  frame: RequestFrame,
): Promise<AckResult<RequestFrame['type']>> {
  const deps = ctx.depsFor(actor.appId);
  const metered = <T>(write: () => Promise<T>) => ctx.writes.metered(actor.appId, actor.userId!, write);
  switch (frame.type) {
    case 'ping':
      return {};
    case 'channel.watch': {
      const { type, id } = parseCid(frame.cid);
      const access = await loadChannel(deps.db, actor, type, id);
      requireAccess(actor, access, 'read');
      // Watch first, then read: an event committed in between arrives twice at worst (the client
      // drops seqs it has), never zero times.
      ctx.registry.watch(conn, access.channel.id, access.cid, canType(actor, access));
      let fresh: ChannelAccess;
      try {
        // Checked again now that the socket watches: a removal, ban or delete that committed after
        // the first check either shows here, or comes later and its event unwatches the socket.
        fresh = await loadChannel(deps.db, actor, type, id);
        requireAccess(actor, fresh, 'read');
      } catch (error) {
        ctx.registry.unwatch(conn, access.channel.id);
        throw error;
      }
      const currentSeq = Number(fresh.channel.seq);
      ctx.registry.noteSeq(fresh.channel.id, currentSeq);
      // A resuming client (`since`) nearly always recovers: its replay, its state (the channel,
      // its membership and draft; the replayed events carry what changed) and the watcher count
      // are read at once. When the gap cannot be replayed, the full state is read after.
      const resuming = frame.since !== undefined;
      const [events, recoveredState, watcherCount] = await Promise.all([
        resuming
          ? replaySince(deps.db, fresh, frame.since!, currentSeq, {
              userId: actor.userId,
              blocked: conn.blocked,
            })
          : null,
        resuming ? loadChannelState(deps.db, actor, fresh, 0, { withMembers: false }) : null,
        ctx.watcherCount(fresh.channel.id),
      ]);
      const state =
        events && recoveredState
          ? recoveredState
          : await loadChannelState(deps.db, actor, fresh, frame.message_limit ?? LIMITS.PAGE_SIZE_DEFAULT);
      return { recovered: events !== null, events: events ?? [], state, watcher_count: watcherCount };
    }
    case 'channel.unwatch': {
      const watched = watchedChannel(conn, frame.cid);
      if (watched) {
        ctx.registry.unwatch(conn, watched);
        return {};
      }
      // Not watched here: answered as a read would be, so a channel the caller may not see is
      // "not found" whether it exists or not; one it may see is already unwatched.
      const { type, id } = parseCid(frame.cid);
      requireAccess(actor, await loadChannel(deps.db, actor, type, id), 'read');
      return {};
    }
    case 'message.send': {
      const { type, id } = parseCid(frame.cid);
      const { message } = await metered(() => sendMessage(deps, actor, type, id, frame.message));
      return { message };
    }
    case 'message.update':
      return { message: await metered(() => updateMessage(deps, actor, frame.message_id, frame.message)) };
    case 'message.delete':
      return { message: await metered(() => deleteMessage(deps, actor, frame.message_id)) };
    case 'reaction.add':
    case 'reaction.remove':
      return {
        message: await metered(() =>
          setReaction(deps, actor, frame.message_id, frame.reaction_type, frame.type === 'reaction.add'),
        ),
      };
    case 'read.mark': {
      const { type, id } = parseCid(frame.cid);
      return { read: await markRead(deps, actor, type, id, frame.message_id) };
    }
    case 'typing.start':
    case 'typing.stop': {
      const target = await typingTarget(ctx, conn, actor, frame.cid);
      const info: TypingInfo = {
        appId: actor.appId,
        channelId: target.channelId,
        cid: target.cid,
        userId: actor.userId!,
        user: conn.userRef!,
        parentId: frame.parent_id ?? null,
      };
      const key = `${info.channelId}:${info.userId}:${info.parentId ?? ''}`;
      const relay = frame.type === 'typing.start' ? ctx.typing.start(key, info) : ctx.typing.stop(key);
      if (relay && !conn.shadowBanned) await ctx.publishTyping(info, frame.type);
      return {};
    }
    default:
      throw new ChatError('validation_failed', 'Unknown frame');
  }
}

function canType(actor: Actor, access: ChannelAccess): boolean {
  try {
    requireAccess(actor, access, 'typing');
    return true;
  } catch {
    return false;
  }
}

/** The id of the channel `cid` this socket watches, if it does. */
function watchedChannel(conn: Connection, cid: string): string | undefined {
  for (const [channelId, watch] of conn.watching) if (watch.cid === cid) return channelId;
  return undefined;
}

/**
 * Where a typing frame goes. Typing is frequent and never stored, so a watched channel answers
 * from what was checked at watch time; only an unwatched one costs a database read.
 */
async function typingTarget(ctx: FrameContext, conn: Connection, actor: Actor, cid: string) {
  for (const [channelId, watch] of conn.watching) {
    if (watch.cid !== cid) continue;
    if (!watch.canType) break;
    return { channelId, cid };
  }
  const { type, id } = parseCid(cid);
  const access = await loadChannel(ctx.depsFor(actor.appId).db, actor, type, id);
  requireAccess(actor, access, 'typing');
  return { channelId: access.channel.id, cid: access.cid };
}
