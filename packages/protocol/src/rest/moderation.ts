import { z } from 'zod';
import { userRef } from '../entities/user';
import { MODERATION_LIMITS } from '../limits';
import { cid, safeString, timestamp, userId } from '../primitives';
import { limitParam } from './query-params';

/**
 * Reports, the review queue and the moderation audit log.
 *
 * A member flags a message they can read, or any user of the app, with a reason and an optional
 * note; once per reporter per target (a second report is a `409 conflict`). Reports group per
 * target into one review item. Reviewers (app admins and the app's backend for the whole app,
 * channel moderators for their channels' messages) list, assign and act on items; every action is
 * written to the audit log and sent as the `moderation.action` webhook event.
 */

export const REPORT_REASONS = ['spam', 'harassment', 'hate', 'sexual', 'violence', 'other'] as const;
export const reportReason = z.enum(REPORT_REASONS);
export type ReportReason = z.infer<typeof reportReason>;

/** Flagging a message or a user. */
export const reportBody = z.strictObject({
  reason: reportReason,
  note: safeString(MODERATION_LIMITS.REPORT_NOTE_LENGTH).optional(),
});
export type ReportBody = z.infer<typeof reportBody>;

export const REVIEW_STATUSES = ['pending', 'resolved', 'dismissed'] as const;
export const reviewStatus = z.enum(REVIEW_STATUSES);
export type ReviewStatus = z.infer<typeof reviewStatus>;

export const reviewTargetKind = z.enum(['message', 'user']);
export type ReviewTargetKind = z.infer<typeof reviewTargetKind>;

/** Where a report came from: a user, or an automatic flag (a blocklist in `flag` mode). */
export const reportSource = z.enum(['user', 'blocklist']);

/** What the reporter gets back: their own report (never the others' reports on the target). */
export const ownReport = z.object({
  id: z.uuid(),
  target_kind: reviewTargetKind,
  message_id: z.uuid().nullable(),
  user_id: z.string().nullable(),
  reason: reportReason,
  note: z.string().nullable(),
  created_at: timestamp,
});
export type OwnReport = z.infer<typeof ownReport>;
export const reportResponse = z.object({ report: ownReport });
export type ReportResponse = z.infer<typeof reportResponse>;

/** One report on a review item, as reviewers see it. */
export const report = z.object({
  id: z.uuid(),
  source: reportSource,
  /** Null for an automatic flag (or a reporter since deleted). */
  reporter: userRef.nullable(),
  /** One of `REPORT_REASONS` for a user's report; the blocklist's own for a flag. */
  reason: z.string(),
  note: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  created_at: timestamp,
});
export type Report = z.infer<typeof report>;

/** Who acted: a user, or the app's backend (`server: true`, `user_id` null). */
export const moderationActor = z.object({ user_id: z.string().nullable(), server: z.boolean() });

/** The reported message as reviewers see it, deleted or not (they decide whether to restore it). */
export const reviewedMessage = z.object({
  id: z.uuid(),
  text: z.string(),
  type: z.string(),
  deleted: z.boolean(),
  /** Deleted by a moderator (rather than by its author). */
  removed_by_moderator: z.boolean(),
  parent_id: z.uuid().nullable(),
  created_at: timestamp,
});

export const reviewItem = z.object({
  id: z.uuid(),
  target_kind: reviewTargetKind,
  /** The message (message items); null once the message is gone for good. */
  message: reviewedMessage.nullable(),
  /** The reported user, or the reported message's author; null once deleted. */
  user: userRef.nullable(),
  /** The message's channel (message items). */
  cid: z.string().nullable(),
  status: reviewStatus,
  report_count: z.number().int(),
  /** The distinct reasons given, most recent first. */
  reasons: z.array(z.string()),
  sources: z.array(reportSource),
  first_reported_at: timestamp,
  last_reported_at: timestamp,
  assignee: userRef.nullable(),
  /** The last action taken on the item (null while pending and never acted on). */
  resolution: z
    .object({
      action: z.string(),
      actor: moderationActor,
      reason: z.string().nullable(),
      at: timestamp,
    })
    .nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});
export type ReviewItem = z.infer<typeof reviewItem>;

/** Newest report first; `next_cursor` is null on the last page. */
export const listReviewItemsQuery = z.strictObject({
  status: reviewStatus.optional(),
  cid: cid.optional(),
  target_kind: reviewTargetKind.optional(),
  /** A reviewer's user id, or `none` for unassigned items. */
  assignee: userId.optional(),
  limit: limitParam,
  cursor: safeString(512).optional(),
});
export type ListReviewItemsQuery = z.infer<typeof listReviewItemsQuery>;
export const reviewItemsResponse = z.object({
  items: z.array(reviewItem),
  next_cursor: z.string().nullable(),
});
export type ReviewItemsResponse = z.infer<typeof reviewItemsResponse>;

/** One item with its newest reports (at most `MODERATION_LIMITS.REVIEW_REPORTS_SHOWN`; `report_count` says how many). */
export const reviewItemResponse = z.object({ item: reviewItem, reports: z.array(report) });
export type ReviewItemResponse = z.infer<typeof reviewItemResponse>;

/** Assigns the item to a reviewer of it (null: unassigns). */
export const assignReviewItemBody = z.strictObject({ user_id: userId.nullable() });
export type AssignReviewItemBody = z.infer<typeof assignReviewItemBody>;

const actionReason = safeString(MODERATION_LIMITS.MODERATION_REASON_LENGTH).optional();

/**
 * What a reviewer does with an item. Each resolves it (`dismiss`: status `dismissed`; the others:
 * `resolved`) and writes an audit record. `ban_from_app`, `shadow_ban` and `timeout` are app-wide:
 * app admins and the app's backend only. `restore` undoes the item's last action (undeletes the
 * message, lifts the ban).
 */
export const reviewActionBody = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('dismiss'), reason: actionReason }),
  z.strictObject({ action: z.literal('delete_message'), reason: actionReason }),
  z.strictObject({
    action: z.literal('ban_from_channel'),
    reason: actionReason,
    /** Null or absent: until lifted. */
    expires_at: timestamp.nullable().optional(),
  }),
  z.strictObject({
    action: z.literal('ban_from_app'),
    reason: actionReason,
    expires_at: timestamp.nullable().optional(),
  }),
  z.strictObject({ action: z.literal('shadow_ban'), reason: actionReason }),
  z.strictObject({ action: z.literal('timeout'), reason: actionReason, until: timestamp }),
  z.strictObject({ action: z.literal('restore'), reason: actionReason }),
]);
export type ReviewActionBody = z.infer<typeof reviewActionBody>;
export type ReviewAction = ReviewActionBody['action'];

/** One audit record: who did what to whom, when and why. */
export const moderationAuditEntry = z.object({
  id: z.uuid(),
  /** e.g. `report.dismissed`, `message.deleted`, `channel.banned`, `app.banned`, `user.timed_out`. */
  action: z.string(),
  actor: moderationActor,
  target_user_id: z.string().nullable(),
  message_id: z.uuid().nullable(),
  cid: z.string().nullable(),
  reason: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  created_at: timestamp,
});
export type ModerationAuditEntry = z.infer<typeof moderationAuditEntry>;

/** Newest first; `since`/`until` bound `created_at` (inclusive, exclusive). */
export const listModerationAuditQuery = z.strictObject({
  action: safeString(64).optional(),
  /** A user id, or `server` for the app's backend. */
  actor: userId.optional(),
  target_user_id: userId.optional(),
  cid: cid.optional(),
  since: timestamp.optional(),
  until: timestamp.optional(),
  limit: limitParam,
  cursor: safeString(512).optional(),
});
export type ListModerationAuditQuery = z.infer<typeof listModerationAuditQuery>;
export const moderationAuditResponse = z.object({
  entries: z.array(moderationAuditEntry),
  next_cursor: z.string().nullable(),
});
export type ModerationAuditResponse = z.infer<typeof moderationAuditResponse>;

/** The webhook event of every audit record. */
export const moderationActionEvent = z.object({
  type: z.literal('moderation.action'),
  created_at: timestamp,
  action: moderationAuditEntry,
});
export type ModerationActionEvent = z.infer<typeof moderationActionEvent>;
