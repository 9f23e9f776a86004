import type { ChannelEvent } from '@chat/protocol';
import { sql, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { AppEvent } from '../events/app-events';
import type { Database, Db } from '../store/schema';

/**
 * The event feed: committed events, handed on in commit order to consumers that must not miss
 * one (webhook and push producers), each from a cursor of its own.
 *
 * Nothing extra is written on the send path: the feed reads the channel event log the write
 * already keeps (`channel_events`, migration 004 adds the writing transaction's id and a
 * position), and the outbox, where events that are not about one channel go (migration 005:
 * the same transaction id, positions from the same sequence). A consumer's batch and its cursor move in one transaction, so what it does with the
 * events (typically: queue jobs) commits together with the cursor or not at all. A crash at any
 * point loses nothing and repeats nothing already committed; a consumer that fails sees the same
 * events again, so it must be idempotent per event id (jobs keyed by it are).
 *
 * Events leave the log by retention (`CHAT_EVENT_LOG_DAYS`, and each channel's last 1,000): a
 * consumer stopped longer than that misses what was pruned meanwhile.
 */
export interface FeedEvent {
  /** Stable across redeliveries: `<channel id>:<seq>`, or `app:<outbox id>`. */
  id: string;
  appId: string;
  /** Null for an application's events (from the outbox). */
  channelId: string | null;
  seq: number | null;
  /** As logged: a message changed since (edited, deleted) carries its id only. */
  event: ChannelEvent | AppEvent;
  createdAt: Date;
}

interface FeedRow {
  app_id: string;
  channel_id: string | null;
  seq: string | number | null;
  outbox_id: string | number | null;
  payload: unknown;
  created_at: Date | string;
  tx: string;
  position: string | number;
}

function toFeedEvent(row: FeedRow): FeedEvent {
  return {
    id: row.channel_id ? `${row.channel_id}:${row.seq}` : `app:${row.outbox_id}`,
    appId: row.app_id,
    channelId: row.channel_id,
    seq: row.seq === null ? null : Number(row.seq),
    event: (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as FeedEvent['event'],
    createdAt: new Date(row.created_at),
  };
}

/** Both logs as one, in the columns of `FeedRow`. */
const BOTH_LOGS = sql`(
  select app_id, channel_id, seq, null::bigint as outbox_id, payload, created_at, tx, position
    from channel_events
  union all
  select app_id, null, null, id, payload, created_at, tx, position from outbox
) as feed`;

/**
 * One application's events created in [since, until), in commit order, at most `limit` (for
 * replays). The logs keep what their retention keeps.
 */
export async function eventsBetween(
  db: Db | Transaction<Database>,
  appId: string,
  since: Date,
  until: Date,
  limit: number,
): Promise<FeedEvent[]> {
  // Each log filtered on its own indexes, then merged.
  const { rows } = await sql<FeedRow>`
    select * from (
      (select app_id, channel_id, seq, null::bigint as outbox_id, payload, created_at, tx, position
         from channel_events
        where app_id = ${appId} and created_at >= ${since} and created_at < ${until})
      union all
      (select app_id, null, null, id, payload, created_at, tx, position from outbox
        where app_id = ${appId} and created_at >= ${since} and created_at < ${until})
    ) as feed
    order by created_at, tx, position
    limit ${limit}`.execute(db);
  return rows.map(toFeedEvent);
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
  await ensureCursor(db, consumer);
  return db.transaction().execute(async (tx) => {
    const cursor = await tx
      .selectFrom('event_cursors')
      .select(['tx', 'position'])
      .where('consumer', '=', consumer.name)
      .forUpdate()
      .executeTakeFirstOrThrow();
    // Only transactions older than the oldest one still running: their rows are all final, so
    // no row that commits later can sort before the cursor.
    const { rows } = await sql<FeedRow>`
      select * from ${BOTH_LOGS}
       where (tx, position) > (${cursor.tx}::xid8, ${cursor.position}::bigint)
         and tx < pg_snapshot_xmin(pg_current_snapshot())
       order by tx, position
       limit ${limit}`.execute(tx);
    if (rows.length === 0) return 0;
    await consumer.handle(tx, rows.map(toFeedEvent));
    const last = rows[rows.length - 1]!;
    await tx
      .updateTable('event_cursors')
      .set({ tx: last.tx, position: Number(last.position), updated_at: new Date() })
      .where('consumer', '=', consumer.name)
      .execute();
    return rows.length;
  });
}

/** The cursors known to exist, per database: creating one (from `now`) scans both logs. */
const cursorsMade = new WeakMap<Db, Set<string>>();

async function ensureCursor(db: Db, consumer: FeedConsumer): Promise<void> {
  const made = cursorsMade.get(db) ?? new Set<string>();
  cursorsMade.set(db, made);
  if (made.has(consumer.name)) return;
  await createCursor(db, consumer);
  made.add(consumer.name);
}

async function createCursor(db: Db, consumer: FeedConsumer): Promise<void> {
  if (consumer.from === 'now') {
    // The newest final row, if any: the cursor starts after it.
    await sql`
      with final as (
        select tx, position from ${BOTH_LOGS} where tx < pg_snapshot_xmin(pg_current_snapshot())
      )
      insert into event_cursors (consumer, tx, position)
      select ${consumer.name}, coalesce(max(tx), '0'::xid8),
             coalesce((select max(position) from final where tx = (select max(tx) from final)), 0)
        from final
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
 * How long a `wake()` waits before the next batch: events committed together (a burst of sends)
 * then go in one batch, not one each.
 */
const GATHER_MS = 50;

/**
 * Runs the feed for `consumer` until stopped: batches back to back while there is a backlog,
 * then a look every `idleMs`, or shortly after `wake()` (events were committed). A failing batch
 * is logged and tried again after `idleMs`.
 */
export function runFeed(
  db: Db,
  consumer: FeedConsumer,
  options: { idleMs: number; logger: Logger; afterBatch?: () => void },
): { stop(): Promise<void>; wake(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  /** Ends the rest, while resting. */
  let release: (() => void) | undefined;
  let shortened = false;
  let woken = false;
  const loop = (async () => {
    while (!stopped) {
      woken = false;
      let handed = 0;
      let failed = false;
      try {
        handed = await feedOnce(db, consumer);
        if (handed > 0) options.afterBatch?.();
      } catch (error) {
        failed = true;
        options.logger.warn({ err: error, consumer: consumer.name }, 'event feed batch failed; retrying');
      }
      if (handed === BATCH || stopped) continue;
      // Woken while that batch ran: what woke it may have committed after the batch's snapshot.
      if (woken && !failed) {
        await new Promise((resolve) => setTimeout(resolve, GATHER_MS));
        continue;
      }
      shortened = false;
      await new Promise<void>((resolve) => {
        release = resolve;
        timer = setTimeout(resolve, options.idleMs);
      });
      release = undefined;
    }
  })();
  return {
    wake() {
      woken = true;
      // Resting: cut the rest short, to GATHER_MS from the first wake (later ones must not
      // put it off, or a steady stream of them would keep the feed resting).
      if (!release || shortened || stopped) return;
      shortened = true;
      clearTimeout(timer);
      timer = setTimeout(release, GATHER_MS);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      release?.();
      await loop;
    },
  };
}
