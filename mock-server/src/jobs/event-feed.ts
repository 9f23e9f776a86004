import type { ChannelEvent } from '@chat/protocol';
import { sql, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Database, Db } from '../store/schema';

/**
 * The event feed: committed channel events, handed on in commit order to consumers that must
 * not miss one (webhook and push producers), each from a cursor of its own.
 *
 * Nothing extra is written on the send path: the feed reads the channel event log the write
 * already keeps (`channel_events`, migration 004 adds the writing transaction's id and a
 * position). A consumer's batch and its cursor move in one transaction, so what it does with the
 * events (typically: queue jobs) commits together with the cursor or not at all. A crash at any
 * point loses nothing and repeats nothing already committed; a consumer that fails sees the same
 * events again, so it must be idempotent per event id (jobs keyed by it are).
 *
 * Events leave the log by retention (`CHAT_EVENT_LOG_DAYS`, and each channel's last 1,000): a
 * consumer stopped longer than that misses what was pruned meanwhile.
 */
export interface FeedEvent {
  /** Stable across redeliveries: `<channel id>:<seq>`. */
  id: string;
  appId: string;
  channelId: string;
  seq: number;
  /** As logged: a message changed since (edited, deleted) carries its id only. */
  event: ChannelEvent;
  createdAt: Date;
}

export interface FeedConsumer {
  /** Names its cursor; keep it stable. */
  name: string;
  /**
   * Where a new cursor starts: at the beginning of the log (default), or at its end, for a
   * consumer that only cares about what happens from its first start on.
   */
  from?: 'start' | 'now';
  /**
   * Handles a batch, in commit order, inside the transaction that then moves the cursor past it.
   * Write through `tx` only; throwing leaves the cursor where it was.
   */
  handle(tx: Transaction<Database>, events: FeedEvent[]): Promise<void>;
}

/** Events per batch. */
const BATCH = 500;

/**
 * Hands the next batch of committed events to `consumer`; answers how many. Several nodes may
 * call it at once: they take turns on the consumer's cursor row, and each event goes to the
 * consumer once.
 */
export async function feedOnce(db: Db, consumer: FeedConsumer, limit = BATCH): Promise<number> {
  await createCursor(db, consumer);
  return db.transaction().execute(async (tx) => {
    const cursor = await tx
      .selectFrom('event_cursors')
      .select(['tx', 'position'])
      .where('consumer', '=', consumer.name)
      .forUpdate()
      .executeTakeFirstOrThrow();
    // Only transactions older than the oldest one still running: their rows are all final, so
    // no row that commits later can sort before the cursor.
    const rows = await tx
      .selectFrom('channel_events')
      .select(['app_id', 'channel_id', 'seq', 'payload', 'created_at', 'tx', 'position'])
      .where(sql<boolean>`(tx, position) > (${cursor.tx}::xid8, ${cursor.position}::bigint)`)
      .where(sql<boolean>`tx < pg_snapshot_xmin(pg_current_snapshot())`)
      .orderBy('tx')
      .orderBy('position')
      .limit(limit)
      .execute();
    if (rows.length === 0) return 0;
    await consumer.handle(
      tx,
      rows.map((row) => ({
        id: `${row.channel_id}:${row.seq}`,
        appId: row.app_id,
        channelId: row.channel_id,
        seq: Number(row.seq),
        event: row.payload as unknown as ChannelEvent,
        createdAt: new Date(row.created_at),
      })),
    );
    const last = rows[rows.length - 1]!;
    await tx
      .updateTable('event_cursors')
      .set({ tx: last.tx, position: last.position, updated_at: new Date() })
      .where('consumer', '=', consumer.name)
      .execute();
    return rows.length;
  });
}

async function createCursor(db: Db, consumer: FeedConsumer): Promise<void> {
  if (consumer.from === 'now') {
    // The newest final row, if any: the cursor starts after it.
    await sql`
      insert into event_cursors (consumer, tx, position)
      select ${consumer.name}, coalesce(max(tx), '0'::xid8),
             coalesce((select max(position) from channel_events e
                        where e.tx = (select max(tx) from channel_events
                                       where tx < pg_snapshot_xmin(pg_current_snapshot()))), 0)
        from channel_events where tx < pg_snapshot_xmin(pg_current_snapshot())
      on conflict (consumer) do nothing`.execute(db);
    return;
  }
  await db
    .insertInto('event_cursors')
    .values({ consumer: consumer.name })
    .onConflict((oc) => oc.column('consumer').doNothing())
    .execute();
}

/**
 * Runs the feed for `consumer` until stopped: batches back to back while there is a backlog,
 * then a look every `idleMs`. A failing batch is logged and tried again after `idleMs`.
 */
export function runFeed(
  db: Db,
  consumer: FeedConsumer,
  options: { idleMs: number; logger: Logger },
): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      let handed = 0;
      try {
        handed = await feedOnce(db, consumer);
      } catch (error) {
        options.logger.warn({ err: error, consumer: consumer.name }, 'event feed batch failed; retrying');
      }
      if (handed === BATCH || stopped) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, options.idleMs);
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}
