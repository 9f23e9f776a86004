import type { Envelope } from '../bus/envelope';
import { decodeEnvelope, encodeEnvelope } from '../bus/envelope';
import type { AppDb } from '../store/app-scope';
import type { DataAccess } from '../store/data-access';
import { replayLogSince } from './recovery';
import type { Registry } from './registry';

/**
 * The newest seq to deliver of a channel whose log (`logSeq`) is ahead of what this node
 * delivered (`deliveredSeq`); undefined to leave it for now.
 */
export type UpTo = (channelId: string, logSeq: number, deliveredSeq: number) => number | undefined;

/** Channels read per query. */
const CHUNK = 500;

/**
 * Delivers the channel events this node missed while its bus subscription was down (Redis
 * pub/sub keeps nothing for a subscriber that is away): for every channel watched here, the
 * events of its log after the newest one this node delivered, read as a replay reads them. The
 * sockets' clients drop what they already have by seq. Answers how many events it delivered.
 *
 * A channel whose gap cannot be replayed (too long, or a truncate in it) is left alone: its
 * watchers see the gap at the next event and resume with `since` themselves.
 */
export async function catchUpWatchedChannels(
  data: DataAccess,
  registry: Registry,
  deliver: (envelope: Envelope) => void,
  upTo: UpTo = (_channelId, logSeq) => logSeq,
): Promise<number> {
  const noted = new Map<string, { appId: string; cid: string; seq: number }>();
  for (const channelId of registry.watchedChannels()) {
    const seq = registry.seqOf(channelId);
    const watcher = registry.watchers(channelId).values().next().value;
    const cid = watcher?.watching.get(channelId)?.cid;
    if (seq === undefined || !watcher?.actor || !cid) continue;
    noted.set(channelId, { appId: watcher.actor.appId, cid, seq });
  }
  // Each application's channels are read through its own scope.
  const byApp = new Map<string, string[]>();
  for (const [channelId, { appId }] of noted) byApp.set(appId, [...(byApp.get(appId) ?? []), channelId]);
  let delivered = 0;
  for (const [appId, ids] of byApp) {
    const db = data.forApp(appId);
    delivered += await catchUpApp(db, ids, noted, deliver, upTo);
  }
  return delivered;
}

async function catchUpApp(
  db: AppDb,
  ids: readonly string[],
  noted: ReadonlyMap<string, { appId: string; cid: string; seq: number }>,
  deliver: (envelope: Envelope) => void,
  upTo: UpTo,
): Promise<number> {
  let delivered = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db
      .selectFrom('channels')
      .selectAll()
      .where('id', 'in', ids.slice(i, i + CHUNK))
      .where('deleted_at', 'is', null)
      .execute();
    for (const channel of rows) {
      const known = noted.get(channel.id)!;
      if (channel.app_id !== known.appId || Number(channel.seq) <= known.seq) continue;
      const last = upTo(channel.id, Number(channel.seq), known.seq);
      if (last === undefined || last <= known.seq) continue;
      // Read for every watcher at once: fan-out shows each socket what it may see.
      const events = await replayLogSince(db, { channel, cid: known.cid }, known.seq, last);
      for (const { event, visibleTo } of events ?? []) {
        const published = {
          appId: known.appId,
          channelId: channel.id,
          event,
          ...(visibleTo && { visibleTo }),
        };
        deliver(decodeEnvelope(encodeEnvelope(published)));
        delivered++;
      }
    }
  }
  return delivered;
}
