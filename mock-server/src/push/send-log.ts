import type { AppDb } from '../store/app-scope';
import type { PushSendState } from '../store/schema';
import type { PushOutcome } from './web-push-sender';

/** Rows one statement writes at most (PostgreSQL takes at most 65,535 parameters). */
const ROWS_PER_STATEMENT = 1_000;

/**
 * `push_sends`, the log that makes a push job safe to retry: a row per message (event) and device,
 * written before anything is sent, so a retried or re-run job sends only what is still pending.
 */

/** Records a pending send for each device that has none for this event yet. */
export async function recordPending(
  db: AppDb,
  send: { appId: string; eventId: string; channelId: string | null },
  deviceIds: readonly string[],
): Promise<void> {
  for (let i = 0; i < deviceIds.length; i += ROWS_PER_STATEMENT)
    await db
      .insertInto('push_sends')
      .values(
        deviceIds.slice(i, i + ROWS_PER_STATEMENT).map((id) => ({
          app_id: send.appId,
          event_id: send.eventId,
          device_id: id,
          channel_id: send.channelId,
        })),
      )
      .onConflict((oc) => oc.columns(['event_id', 'device_id']).doNothing())
      .execute();
}

/** The devices of this event still pending (of those given, or all). */
export async function pendingDevices(
  db: AppDb,
  eventId: string,
  deviceIds?: readonly string[],
): Promise<Set<string>> {
  if (deviceIds?.length === 0) return new Set();
  const rows = await db
    .selectFrom('push_sends')
    .select('device_id')
    .where('event_id', '=', eventId)
    .where('state', '=', 'pending')
    .$if(deviceIds !== undefined, (qb) => qb.where('device_id', 'in', deviceIds!))
    .execute();
  return new Set(rows.map((row) => row.device_id));
}

/** What an attempt makes of a send: sent, removed (gone), failed, or still pending (to retry). */
export function stateAfter(outcome: PushOutcome, lastChance: boolean): PushSendState {
  if (outcome.kind === 'sent') return 'sent';
  if (outcome.kind === 'gone') return 'removed';
  return outcome.kind === 'failed' || lastChance ? 'failed' : 'pending';
}

export interface SendRecord {
  deviceId: string;
  outcome: PushOutcome;
  state: PushSendState;
}

/**
 * Writes the outcome of attempts: one statement per kind of outcome (sent; each distinct refusal),
 * by the primary key, not one per send. (An `UPDATE … FROM (VALUES …)` join was planned as a nested
 * loop over all of a message's sends whenever `push_sends` had no fresh statistics: seconds per
 * chunk on a 10,000-device message.)
 */
export async function recordAttempts(
  db: AppDb,
  eventId: string,
  records: readonly SendRecord[],
): Promise<void> {
  const now = new Date();
  const groups = new Map<
    string,
    { state: PushSendState; status: number | null; error: string | null; ids: string[] }
  >();
  for (const { deviceId, outcome, state } of records) {
    const status = 'status' in outcome ? (outcome.status ?? null) : null;
    const error = 'reason' in outcome ? outcome.reason.slice(0, 500) : null;
    const key = JSON.stringify([state, status, error]);
    const group = groups.get(key) ?? { state, status, error, ids: [] };
    groups.set(key, group);
    group.ids.push(deviceId);
  }
  for (const { state, status, error, ids } of groups.values())
    for (let i = 0; i < ids.length; i += ROWS_PER_STATEMENT)
      await db
        .updateTable('push_sends')
        .set((eb) => ({
          state,
          attempts: eb('attempts', '+', 1),
          last_status: status,
          last_error: error,
          updated_at: now,
        }))
        .where('event_id', '=', eventId)
        .where('device_id', 'in', ids.slice(i, i + ROWS_PER_STATEMENT))
        .execute();
}

/** Sends pending from an earlier attempt whose device is no longer a recipient: nothing goes to them. */
export async function dropSends(db: AppDb, eventId: string, deviceIds: readonly string[]): Promise<void> {
  for (let i = 0; i < deviceIds.length; i += ROWS_PER_STATEMENT)
    await db
      .updateTable('push_sends')
      .set({ state: 'failed', last_error: 'no longer a recipient', updated_at: new Date() })
      .where('event_id', '=', eventId)
      .where('device_id', 'in', deviceIds.slice(i, i + ROWS_PER_STATEMENT))
      .execute();
}
