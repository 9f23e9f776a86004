import {
  type AssignReviewItemBody,
  LIMITS,
  type ListReviewItemsQuery,
  MODERATION_LIMITS,
  parseCid,
  type ReviewItem,
  type ReviewItemResponse,
  type ReviewItemsResponse,
  timestamp,
} from '@chat/protocol';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Actor } from '../../kernel/actor';
import { ChatError, forbidden, notFound } from '../../kernel/errors';
import type { AppDb } from '../../store/app-scope';
import { loadChannel, requireAccess } from '../channels/channel-access';
import { decodeCursor, encodeCursor } from '../cursor';
import type { DomainDeps } from '../deps';
import { toUserRef } from '../views';
import { recordModerationAction } from './audit-log';

/**
 * The review queue: one item per reported target. App admins and the app's backend review the
 * whole app's queue; a channel's moderators and admins (not banned there) review its messages'
 * items. A user who reviews nothing is refused (403); an item outside the caller's reach answers
 * 404, as if it did not exist.
 */

/** Whether the actor reviews the whole app (`true`) or only channels they moderate. */
export function reviewsWholeApp(actor: Actor): boolean {
  return actor.server || actor.role === 'admin';
}

/** The channels a user moderates (moderator or admin there, and not banned), as a subquery. */
export function moderatedChannels(db: AppDb, userId: string) {
  return db
    .selectFrom('channel_members as mm')
    .innerJoin('channels as mc', 'mc.id', 'mm.channel_id')
    .select('mm.channel_id')
    .where('mm.app_user_id', '=', userId)
    .where('mm.role', 'in', ['moderator', 'admin'])
    .where('mc.deleted_at', 'is', null)
    .where((eb) => eb.or([eb('mm.is_banned', '=', false), eb('mm.ban_expires_at', '<=', new Date())]));
}

/** Throws 403 unless the actor reviews something: the whole app, or at least one channel. */
export async function requireReviewer(db: AppDb, actor: Actor): Promise<void> {
  if (reviewsWholeApp(actor)) return;
  if (!actor.userId) throw forbidden('Only reviewers may see the review queue');
  const one = await moderatedChannels(db, actor.userId).limit(1).executeTakeFirst();
  if (!one) throw forbidden('Only app admins and channel moderators may review reports');
}

function itemQuery(db: AppDb) {
  return db
    .selectFrom('moderation_queue as q')
    .leftJoin('messages as m', 'm.id', 'q.message_id')
    .leftJoin('app_users as u', 'u.id', 'q.app_user_id')
    .leftJoin('app_users as a', 'a.id', 'q.assigned_to')
    .leftJoin('app_users as r', 'r.id', 'q.resolved_by')
    .leftJoin('channels as c', 'c.id', 'q.channel_id')
    .selectAll('q')
    .select([
      'm.text as m_text',
      'm.type as m_type',
      'm.is_deleted as m_deleted',
      'm.removed_by_moderator as m_removed',
      'm.parent_id as m_parent_id',
      'm.created_at as m_created_at',
      'u.external_id as u_external_id',
      'u.display_name as u_display_name',
      'u.image as u_image',
      'u.is_online as u_is_online',
      'u.last_active_at as u_last_active_at',
      'a.external_id as a_external_id',
      'a.display_name as a_display_name',
      'a.image as a_image',
      'a.is_online as a_is_online',
      'a.last_active_at as a_last_active_at',
      'r.external_id as r_external_id',
      'c.type as c_type',
      'c.external_id as c_external_id',
    ])
    .select(
      sql<string>`to_char(q.last_reported_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('t'),
    );
}
type ItemRow = Awaited<ReturnType<ReturnType<typeof itemQuery>['executeTakeFirstOrThrow']>>;

const iso = (at: Date | string) => new Date(at).toISOString();

function refOf(row: ItemRow, p: 'u' | 'a') {
  const externalId = row[`${p}_external_id`];
  if (!externalId) return null;
  return toUserRef({
    external_id: externalId,
    display_name: row[`${p}_display_name`] ?? null,
    image: row[`${p}_image`] ?? null,
    is_online: row[`${p}_is_online`] ?? false,
    last_active_at: row[`${p}_last_active_at`] ?? null,
  });
}

function toItem(row: ItemRow): ReviewItem {
  const message =
    row.message_id && row.m_created_at
      ? {
          id: row.message_id,
          text: row.m_text ?? '',
          type: row.m_type ?? 'regular',
          deleted: row.m_deleted ?? false,
          removed_by_moderator: row.m_removed ?? false,
          parent_id: row.m_parent_id ?? null,
          created_at: iso(row.m_created_at),
        }
      : null;
  return {
    id: row.id,
    target_kind: row.target_kind,
    message,
    user: refOf(row, 'u'),
    cid: row.c_type && row.c_external_id ? `${row.c_type}:${row.c_external_id}` : null,
    status: row.status,
    report_count: row.report_count,
    reasons: row.reasons,
    sources: row.sources,
    first_reported_at: iso(row.created_at),
    last_reported_at: iso(row.last_reported_at),
    assignee: refOf(row, 'a'),
    resolution:
      row.resolution && row.reviewed_at
        ? {
            action: row.resolution,
            actor: { user_id: row.r_external_id ?? null, server: row.resolved_by_server },
            reason: row.resolution_reason,
            at: iso(row.reviewed_at),
          }
        : null,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

/** Narrows a query of items to those the actor reviews. */
function withinReach<Q extends ReturnType<typeof itemQuery>>(db: AppDb, actor: Actor, q: Q): Q {
  if (reviewsWholeApp(actor)) return q;
  return q
    .where('q.target_kind', '=', 'message')
    .where('q.channel_id', 'in', moderatedChannels(db, actor.userId!)) as Q;
}

const itemCursor = z.strictObject({ t: timestamp, id: z.uuid() });

/** The items the actor reviews, newest report first. */
export async function listReviewItems(
  deps: DomainDeps,
  actor: Actor,
  query: ListReviewItemsQuery,
): Promise<ReviewItemsResponse> {
  const { db } = deps;
  await requireReviewer(db, actor);
  const limit = query.limit ?? LIMITS.PAGE_SIZE_DEFAULT;
  let q = withinReach(db, actor, itemQuery(db));
  if (query.status) q = q.where('q.status', '=', query.status);
  if (query.target_kind) q = q.where('q.target_kind', '=', query.target_kind);
  if (query.cid) {
    const { type, id } = parseCid(query.cid);
    // A channel the caller cannot read is a 404, as everywhere.
    const access = await loadChannel(db, actor, type, id);
    requireAccess(actor, access, 'read');
    q = q.where('q.channel_id', '=', access.channel.id);
  }
  if (query.assignee === 'none') q = q.where('q.assigned_to', 'is', null);
  else if (query.assignee) {
    const assignee = await db
      .selectFrom('app_users')
      .select('id')
      .where('external_id', '=', query.assignee)
      .executeTakeFirst();
    if (!assignee) return { items: [], next_cursor: null };
    q = q.where('q.assigned_to', '=', assignee.id);
  }
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor, itemCursor);
    q = q.where(sql<boolean>`(q.last_reported_at, q.id) < (${cursor.t}::timestamptz, ${cursor.id}::uuid)`);
  }
  const rows = await q
    .orderBy('q.last_reported_at', 'desc')
    .orderBy('q.id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toItem),
    next_cursor: rows.length > limit && last ? encodeCursor({ t: last.t, id: last.id }) : null,
  };
}

/** A review item with the internal ids of what it is about. */
export interface LoadedItem {
  item: ReviewItem;
  /** `app_users.id` of the reported user (or message author). */
  targetUserId: string | null;
  channelId: string | null;
}

/** One item the actor reviews (404 otherwise). */
export async function loadReviewItem(db: AppDb, actor: Actor, itemId: string): Promise<LoadedItem> {
  await requireReviewer(db, actor);
  const row = await withinReach(db, actor, itemQuery(db)).where('q.id', '=', itemId).executeTakeFirst();
  if (!row) throw notFound('Review item');
  return { item: toItem(row), targetUserId: row.app_user_id, channelId: row.channel_id };
}

/** One item with its newest reports. */
export async function getReviewItem(
  deps: DomainDeps,
  actor: Actor,
  itemId: string,
): Promise<ReviewItemResponse> {
  const { item } = await loadReviewItem(deps.db, actor, itemId);
  const reports = await deps.db
    .selectFrom('moderation_reports as rp')
    .leftJoin('app_users as u', 'u.id', 'rp.reporter_id')
    .selectAll('rp')
    .select(['u.external_id', 'u.display_name', 'u.image', 'u.is_online', 'u.last_active_at'])
    .where('rp.item_id', '=', item.id)
    .orderBy('rp.created_at', 'desc')
    .orderBy('rp.id', 'desc')
    .limit(MODERATION_LIMITS.REVIEW_REPORTS_SHOWN)
    .execute();
  return {
    item,
    reports: reports.map((rp) => ({
      id: rp.id,
      source: rp.source,
      reporter: rp.external_id
        ? toUserRef({
            external_id: rp.external_id,
            display_name: rp.display_name,
            image: rp.image,
            is_online: rp.is_online ?? false,
            last_active_at: rp.last_active_at,
          })
        : null,
      reason: rp.reason,
      note: rp.note,
      details: typeof rp.details === 'string' ? JSON.parse(rp.details) : rp.details,
      created_at: iso(rp.created_at),
    })),
  };
}

/**
 * Assigns an item to a reviewer of it (the caller or another), or unassigns it. The assignee must
 * be able to review the item: an app admin, or a moderator of its channel.
 */
export async function assignReviewItem(
  deps: DomainDeps,
  actor: Actor,
  itemId: string,
  body: AssignReviewItemBody,
): Promise<ReviewItemResponse> {
  const { db } = deps;
  const { item } = await loadReviewItem(db, actor, itemId);
  let assigneeId: string | null = null;
  if (body.user_id !== null) {
    const assignee = await db
      .selectFrom('app_users')
      .select(['id', 'external_id', 'user_type'])
      .where('external_id', '=', body.user_id)
      .executeTakeFirst();
    if (!assignee) throw notFound('User');
    const reviewer: Actor = {
      appId: actor.appId,
      userId: assignee.id,
      externalId: assignee.external_id,
      role: assignee.user_type,
      server: false,
    };
    const reaches = await withinReach(db, reviewer, itemQuery(db))
      .where('q.id', '=', item.id)
      .executeTakeFirst()
      .catch(() => undefined);
    if (!reaches)
      throw new ChatError('validation_failed', 'The assignee cannot review this item', {
        issues: [{ path: ['user_id'], message: 'Not a reviewer of this item' }],
      });
    assigneeId = assignee.id;
  }
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('moderation_queue')
      .set({ assigned_to: assigneeId, updated_at: new Date() })
      .where('id', '=', item.id)
      .execute();
    await recordModerationAction(tx, {
      action: assigneeId ? 'report.assigned' : 'report.unassigned',
      actor,
      targetUserId: assigneeId,
      details: { review_item_id: item.id },
    });
  });
  return getReviewItem(deps, actor, item.id);
}
