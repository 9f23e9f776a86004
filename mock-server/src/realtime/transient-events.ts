import type { ChatEvent } from '@chat/protocol';
import type { Publish } from '../events/published-event';
import type { DataAccess } from '../store/data-access';
import type { TypingInfo } from './frame-handlers';
import type { Registry } from './registry';

type Base = { cid: string; seq: number; created_at: string };

/**
 * Publishes an event that is never stored (typing, watcher counts): it carries the channel's
 * current seq without taking one. Watched channels know it from the events this node
 * delivered; otherwise it is read.
 */
export async function publishTransient(
  deps: { data: DataAccess; publish: Publish; registry: Registry },
  channel: { appId: string; channelId: string; cid: string },
  build: (base: Base) => ChatEvent,
): Promise<void> {
  const { appId, channelId, cid } = channel;
  let seq = deps.registry.seqOf(channelId);
  if (seq === undefined) {
    const row = await deps.data
      .forApp(appId)
      .selectFrom('channels')
      .select('seq')
      .where('id', '=', channelId)
      .executeTakeFirst();
    if (!row) return;
    seq = Number(row.seq);
  }
  deps.publish({ appId, channelId, event: build({ cid, seq, created_at: new Date().toISOString() }) });
}

/** `typing.start` / `typing.stop` of a user in a channel (or a thread of it). */
export function publishTyping(
  deps: { data: DataAccess; publish: Publish; registry: Registry },
  info: TypingInfo,
  type: 'typing.start' | 'typing.stop',
): Promise<void> {
  return publishTransient(deps, info, (base) => ({
    ...base,
    type,
    user: info.user,
    parent_id: info.parentId,
  }));
}
