import type { ReportBody, ReportResponse } from '@chat/protocol';
import { sql } from 'kysely';
import type { Actor } from '../../kernel/actor';
import { ChatError, forbidden, notFound } from '../../kernel/errors';
import type { AppDb } from '../../store/app-scope';
import type { ReportSource } from '../../store/schema';
import type { DomainDeps } from '../deps';
import { loadMessage } from '../messages/message-access';

/**
 * Reports: a user flags a message they can read, or another user of the app; a blocklist in
 * `flag` mode flags a message automatically. Reports on one target group into one review item
 * (`moderation_queue`), which a new report (re)opens. A user reports a target once: a second
 * report is a 409 `conflict`, so the reporter's client can say "already reported" (a retry after a
 * lost answer hears the same, which it can treat as done).
 */

interface Target {
  appId: string;
  kind: 'message' | 'user';
  messageId: string | null;
  /** The reported user (a message's author). */
  userId: string;
  channelId: string | null;
}

const iso = (at: Date | string) => new Date(at).toISOString();

function reporterOf(actor: Actor): string {
  if (!actor.userId) throw forbidden('Reports belong to a user; server tokens have none');
  return actor.userId;
}

const yourself = (what: string) =>
  new ChatError('validation_failed', `You cannot report ${what}`, {
    issues: [{ path: [], message: `You cannot report ${what}` }],
  });

/** Flags a message the caller can read (not their own). */
export async function reportMessage(
  deps: DomainDeps,
  actor: Actor,
  messageId: string,
  body: ReportBody,
): Promise<ReportResponse> {
  const reporterId = reporterOf(actor);
  // A user may report what they blocked: "block, then report" is the order many take.
  const { row } = await loadMessage(deps.db, actor, messageId, 'read', { blocked: 'shown' });
  if (row.app_user_id === reporterId) throw yourself('your own message');
  if (row.is_deleted) throw new ChatError('conflict', 'A deleted message cannot be reported');
  if (row.type === 'system') throw yourself('a system message');
  const target: Target = {
    appId: actor.appId,
    kind: 'message',
    messageId: row.id,
    userId: row.app_user_id,
    channelId: row.channel_id,
  };
  return deps.db.transaction().execute((tx) => addUserReport(tx, target, reporterId, body));
}

/** Flags another user of the app. */
export async function reportUser(
  deps: DomainDeps,
  actor: Actor,
  externalId: string,
  body: ReportBody,
): Promise<ReportResponse> {
  const reporterId = reporterOf(actor);
  const user = await deps.db
    .selectFrom('app_users')
    .select('id')
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  if (!user) throw notFound('User');
  if (user.id === reporterId) throw yourself('yourself');
  const target: Target = {
    appId: actor.appId,
    kind: 'user',
    messageId: null,
    userId: user.id,
    channelId: null,
  };
  return deps.db.transaction().execute((tx) => addUserReport(tx, target, reporterId, body));
}

async function addUserReport(
  tx: AppDb,
  target: Target,
  reporterId: string,
  body: ReportBody,
): Promise<ReportResponse> {
  const itemId = await lockItem(tx, target);
  const report = await tx
    .insertInto('moderation_reports')
    .values({
      app_id: target.appId,
      item_id: itemId,
      reporter_id: reporterId,
      source: 'user',
      reason: body.reason,
      note: body.note ?? null,
    })
    .onConflict((oc) =>
      oc.columns(['item_id', 'reporter_id']).where('reporter_id', 'is not', null).doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
  // Rolls the item's lock-in back with the transaction: nothing changes.
  if (!report) throw new ChatError('conflict', `You already reported this ${target.kind}`);
  await countReport(tx, itemId, body.reason, 'user', true);
  const users = await tx
    .selectFrom('app_users')
    .select('external_id')
    .where('id', '=', target.userId)
    .executeTakeFirst();
  return {
    report: {
      id: report.id,
      target_kind: target.kind,
      message_id: target.messageId,
      user_id: target.kind === 'user' ? (users?.external_id ?? null) : null,
      reason: body.reason,
      note: report.note,
      created_at: iso(report.created_at),
    },
  };
}

/**
 * An automatic flag (blocklist `flag` mode): lands in the review queue like a user's report. A
 * message is flagged once per source; a later flag (an edit) refreshes that report and reopens the
 * item without counting another report. A message that is gone is not flagged.
 */
export async function flagAutomatically(
  tx: AppDb,
  input: { messageId: string; reason: string; details?: Record<string, unknown> },
): Promise<void> {
  const message = await tx
    .selectFrom('messages')
    .select(['id', 'app_id', 'app_user_id', 'channel_id'])
    .where('id', '=', input.messageId)
    .executeTakeFirst();
  if (!message) return;
  const itemId = await lockItem(tx, {
    appId: message.app_id,
    kind: 'message',
    messageId: message.id,
    userId: message.app_user_id,
    channelId: message.channel_id,
  });
  const source: ReportSource = 'blocklist';
  const details = JSON.stringify(input.details ?? {});
  const refreshed = await tx
    .updateTable('moderation_reports')
    .set({ reason: input.reason, details, created_at: new Date() })
    .where('item_id', '=', itemId)
    .where('source', '=', source)
    .returning('id')
    .executeTakeFirst();
  if (!refreshed)
    await tx
      .insertInto('moderation_reports')
      .values({
        app_id: message.app_id,
        item_id: itemId,
        reporter_id: null,
        source,
        reason: input.reason,
        details,
      })
      .execute();
  await countReport(tx, itemId, input.reason, source, !refreshed);
}

/**
 * The target's review item, created if it has none, locked until the transaction ends (so
 * concurrent reports on one target count one after the other).
 */
async function lockItem(tx: AppDb, target: Target): Promise<string> {
  const values = {
    app_id: target.appId,
    target_kind: target.kind,
    message_id: target.messageId,
    app_user_id: target.userId,
    channel_id: target.channelId,
  };
  const row = await tx
    .insertInto('moderation_queue')
    .values(values)
    .onConflict((oc) =>
      (target.kind === 'message'
        ? oc.column('message_id').where('target_kind', '=', 'message')
        : oc.column('app_user_id').where('target_kind', '=', 'user')
      ).doUpdateSet({ target_kind: target.kind }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Adds a report to its item: the count (when new), the reason and source, the time; reopens it. */
async function countReport(
  tx: AppDb,
  itemId: string,
  reason: string,
  source: ReportSource,
  isNew: boolean,
): Promise<void> {
  await tx
    .updateTable('moderation_queue')
    .set({
      report_count: sql`report_count + ${isNew ? 1 : 0}`,
      // Most recent first, each once.
      reasons: sql`array_prepend(${reason}::text, array_remove(reasons, ${reason}::text))`,
      sources: sql`case when ${source}::text = any(sources) then sources else array_append(sources, ${source}::text) end`,
      last_reported_at: new Date(),
      updated_at: new Date(),
      status: 'pending',
    })
    .where('id', '=', itemId)
    .execute();
}
