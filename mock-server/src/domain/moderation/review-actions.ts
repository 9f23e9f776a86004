import {
  LIMITS,
  parseCid,
  type ReviewActionBody,
  type ReviewItem,
  type ReviewItemResponse,
} from '@chat/protocol';
import type { Publish, PublishedEvent } from '../../events/published-event';
import type { Actor } from '../../kernel/actor';
import { ChatError, forbidden } from '../../kernel/errors';
import type { AppDb } from '../../store/app-scope';
import type { ReviewStatus } from '../../store/schema';
import { banMember, unbanMember } from '../channels/members';
import type { DomainDeps } from '../deps';
import { deleteMessage, restoreMessage } from '../messages/messages';
import { banFromApp, endTimeout, timeOutUser, unbanFromApp } from './app-bans';
import { type ModerationContext, recordModerationAction } from './audit-log';
import { getReviewItem, type LoadedItem, loadReviewItem, reviewsWholeApp } from './review-queue';

/**
 * A reviewer's action on a review item. Each one resolves the item (`dismiss`: dismissed; the
 * others: resolved) and is written to the audit log, in the transaction of the action itself: a
 * ban, a deletion and the item's resolution commit together or not at all. The actions reuse the
 * domain's own (a channel ban is `banMember`, a deletion `deleteMessage`), with their checks: a
 * channel moderator still cannot ban a moderator above them.
 *
 * Two reviewers acting on one item at once: the second finds it changed under it and gets a 409
 * (nothing of its action is kept), so it can look again.
 */
export async function actOnReviewItem(
  deps: DomainDeps,
  actor: Actor,
  itemId: string,
  body: ReviewActionBody,
): Promise<ReviewItemResponse> {
  const loaded = await loadReviewItem(deps.db, actor, itemId);
  const { item } = loaded;
  const reason = body.reason ?? null;
  const details = { review_item_id: item.id, report_count: item.report_count, reasons: item.reasons };
  const resolution = body.action === 'dismiss' || body.action === 'restore' ? 'dismissed' : 'resolved';
  const context: ModerationContext = {
    reason,
    details,
    within: (tx) => resolveItem(tx, actor, item, resolution, body.action, reason),
  };
  switch (body.action) {
    case 'dismiss':
      await deps.db.transaction().execute(async (tx) => {
        await recordModerationAction(tx, {
          action: 'report.dismissed',
          actor,
          targetUserId: loaded.targetUserId,
          messageId: item.message?.id ?? null,
          channelId: loaded.channelId,
          reason,
          details,
        });
        await context.within!(tx);
      });
      break;
    case 'delete_message': {
      const message = requireMessage(item);
      if (message.deleted)
        throw new ChatError('conflict', 'The message is deleted already; dismiss the item to close it');
      await deleteMessage(deps, actor, message.id, context);
      break;
    }
    case 'ban_from_channel': {
      const { type, id } = parseCid(requireChannel(item));
      const user = requireUser(item);
      await banMember(
        deps,
        actor,
        type,
        id,
        { user_id: user, timeout: banSeconds(body.expires_at) },
        context,
      );
      break;
    }
    case 'ban_from_app':
    case 'shadow_ban':
    case 'timeout':
      requireAppReviewer(actor);
      if (body.action === 'timeout' && Date.parse(body.until) <= Date.now())
        throw new ChatError('validation_failed', 'A timeout must end in the future', {
          issues: [{ path: ['until'], message: 'Must be in the future' }],
        });
      if (body.action === 'ban_from_app' && body.expires_at && Date.parse(body.expires_at) <= Date.now())
        throw new ChatError('validation_failed', 'The ban must expire in the future', {
          issues: [{ path: ['expires_at'], message: 'Must be in the future' }],
        });
      await appWideAction(deps, actor, loaded, body, context);
      break;
    case 'restore':
      await restore(deps, actor, loaded, context);
      break;
  }
  return getReviewItem(deps, actor, item.id);
}

/** Marks the item decided, unless someone changed it since it was read (then 409, rolling back). */
async function resolveItem(
  tx: AppDb,
  actor: Actor,
  item: ReviewItem,
  status: ReviewStatus,
  action: string,
  reason: string | null,
): Promise<void> {
  const now = new Date();
  let q = tx
    .updateTable('moderation_queue')
    .set({
      status,
      resolution: action,
      resolution_reason: reason,
      resolved_by: actor.userId,
      resolved_by_server: actor.server,
      reviewed_at: now,
      updated_at: now,
    })
    .where('id', '=', item.id)
    .where('status', '=', item.status)
    .where('report_count', '=', item.report_count);
  q = item.resolution
    ? q.where('resolution', '=', item.resolution.action)
    : q.where('resolution', 'is', null);
  const row = await q.returning('id').executeTakeFirst();
  if (!row)
    throw new ChatError('conflict', 'The item changed meanwhile (another report or review); look again');
}

function requireMessage(item: ReviewItem) {
  if (!item.message) throw invalid('This action needs a reported message');
  return item.message;
}

function requireChannel(item: ReviewItem): string {
  if (!item.cid) throw invalid('This action needs a reported message in a channel');
  return item.cid;
}

function requireUser(item: ReviewItem): string {
  if (!item.user) throw new ChatError('conflict', 'The reported user no longer exists');
  return item.user.id;
}

function requireAppReviewer(actor: Actor) {
  if (!reviewsWholeApp(actor)) throw forbidden('Only app admins and the app backend act app-wide');
}

const invalid = (message: string) =>
  new ChatError('validation_failed', message, { issues: [{ path: ['action'], message }] });

/** A ban's expiry as the seconds `banMember` takes (absent: until lifted). */
function banSeconds(expiresAt: string | null | undefined): number | undefined {
  if (!expiresAt) return undefined;
  const seconds = Math.ceil((Date.parse(expiresAt) - Date.now()) / 1000);
  if (seconds < 1 || seconds > LIMITS.BAN_TIMEOUT_SECONDS_MAX)
    throw new ChatError('validation_failed', 'The ban must expire in the future, within a year', {
      issues: [{ path: ['expires_at'], message: 'Must be in the future, within a year' }],
    });
  return seconds;
}

/** Undoes the item's last action: undeletes the message, lifts the ban. */
async function restore(deps: DomainDeps, actor: Actor, loaded: LoadedItem, context: ModerationContext) {
  const { item } = loaded;
  switch (item.resolution?.action) {
    case 'delete_message':
      await restoreMessage(deps, actor, requireMessage(item).id, context);
      return;
    case 'ban_from_channel': {
      const { type, id } = parseCid(requireChannel(item));
      await unbanMember(deps, actor, type, id, requireUser(item), context);
      return;
    }
    case 'ban_from_app':
    case 'shadow_ban':
    case 'timeout':
      requireAppReviewer(actor);
      await appWideRestore(deps, actor, loaded, context);
      return;
    default:
      throw new ChatError(
        'conflict',
        'Nothing to restore: the item was not acted on with a deletion or a ban',
      );
  }
}

/**
 * App-wide bans, shadow bans and timeouts (app-bans.ts), in one transaction with the item's
 * resolution. Their events go out once it commits (a ban closes the user's sockets), never for
 * an action a conflict rolled back. app-bans.ts writes the action's own audit record
 * (`app.banned`, `shadow.banned`, `user.timed_out`, ...); a `report.resolved` record beside it
 * names the review item it settled.
 */
async function appWide(
  deps: DomainDeps,
  actor: Actor,
  loaded: LoadedItem,
  context: ModerationContext,
  resolution: string,
  run: (tx: AppDb, publish: Publish, userId: string) => Promise<unknown>,
): Promise<void> {
  const userId = requireUser(loaded.item);
  const held: PublishedEvent[] = [];
  await deps.db.transaction().execute(async (tx) => {
    await run(tx, (event) => held.push(event), userId);
    await recordModerationAction(tx, {
      action: 'report.resolved',
      actor,
      targetUserId: loaded.targetUserId,
      messageId: loaded.item.message?.id ?? null,
      channelId: loaded.channelId,
      reason: context.reason ?? null,
      details: { ...context.details, resolution },
    });
    await context.within?.(tx);
  });
  for (const event of held) deps.publish(event);
}

function appWideAction(
  deps: DomainDeps,
  actor: Actor,
  loaded: LoadedItem,
  body: Extract<ReviewActionBody, { action: 'ban_from_app' | 'shadow_ban' | 'timeout' }>,
  context: ModerationContext,
): Promise<void> {
  const reason = body.reason ?? null;
  return appWide(deps, actor, loaded, context, body.action, (tx, publish, userId) => {
    switch (body.action) {
      case 'ban_from_app':
        return banFromApp(tx, publish, actor, userId, { expires_at: body.expires_at ?? null, reason });
      case 'shadow_ban':
        return banFromApp(tx, publish, actor, userId, { shadow: true, reason });
      case 'timeout':
        return timeOutUser(tx, publish, actor, userId, { until: body.until, reason });
    }
  });
}

function appWideRestore(
  deps: DomainDeps,
  actor: Actor,
  loaded: LoadedItem,
  context: ModerationContext,
): Promise<void> {
  const undone = loaded.item.resolution?.action;
  return appWide(deps, actor, loaded, context, 'restore', (tx, publish, userId) => {
    if (undone === 'timeout') return endTimeout(tx, actor, userId);
    return unbanFromApp(tx, publish, actor, userId, { shadow: undone === 'shadow_ban' });
  });
}
