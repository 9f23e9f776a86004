import {
  LIMITS,
  type ListModerationAuditQuery,
  type ModerationAuditResponse,
  timestamp,
} from '@chat/protocol';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Actor } from '../../kernel/actor';
import { forbidden } from '../../kernel/errors';
import { decodeCursor, encodeCursor } from '../cursor';
import type { DomainDeps } from '../deps';
import { toAuditEntry } from './audit-log';
import { reviewsWholeApp } from './review-queue';

const auditCursor = z.strictObject({ t: timestamp, id: z.uuid() });

/**
 * The app's moderation audit log, newest first: for app admins and the app's backend only (it
 * names every moderator and every moderated user of the app). Filters match the ids the records
 * were written with, so a record stays findable after its user or channel is gone.
 */
export async function listModerationAudit(
  deps: DomainDeps,
  actor: Actor,
  query: ListModerationAuditQuery,
): Promise<ModerationAuditResponse> {
  if (!reviewsWholeApp(actor)) throw forbidden('Only app admins and the app backend may read the audit log');
  const limit = query.limit ?? LIMITS.PAGE_SIZE_DEFAULT;
  let q = deps.db
    .selectFrom('moderation_audit')
    .selectAll()
    .select(sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('t'));
  if (query.action) q = q.where('action', '=', query.action);
  if (query.actor === 'server') q = q.where('actor_server', '=', true).where('actor_external_id', 'is', null);
  else if (query.actor) q = q.where('actor_external_id', '=', query.actor);
  if (query.target_user_id) q = q.where('target_external_id', '=', query.target_user_id);
  if (query.cid) q = q.where('cid', '=', query.cid);
  if (query.since) q = q.where('created_at', '>=', new Date(query.since));
  if (query.until) q = q.where('created_at', '<', new Date(query.until));
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor, auditCursor);
    q = q.where(sql<boolean>`(created_at, id) < (${cursor.t}::timestamptz, ${cursor.id}::uuid)`);
  }
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    entries: page.map(toAuditEntry),
    next_cursor: rows.length > limit && last ? encodeCursor({ t: last.t, id: last.id }) : null,
  };
}
