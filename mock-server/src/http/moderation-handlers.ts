import type { DomainDeps } from '../domain/deps';
import { listModerationAudit } from '../domain/moderation/audit-query';
import { reportMessage, reportUser } from '../domain/moderation/reports';
import { actOnReviewItem } from '../domain/moderation/review-actions';
import { assignReviewItem, getReviewItem, listReviewItems } from '../domain/moderation/review-queue';
import type { Handlers } from './handlers';

/** Reports, the review queue and the audit log: see domain/moderation/README.md. */
export function moderationHandlers(
  s: DomainDeps,
): Pick<
  Handlers,
  | 'reportMessage'
  | 'reportUser'
  | 'listReviewItems'
  | 'getReviewItem'
  | 'assignReviewItem'
  | 'actOnReviewItem'
  | 'listModerationAudit'
> {
  return {
    reportMessage: ({ actor, params, body }) => reportMessage(s, actor, params.id, body),
    reportUser: ({ actor, params, body }) => reportUser(s, actor, params.userId, body),
    listReviewItems: ({ actor, query }) => listReviewItems(s, actor, query),
    getReviewItem: ({ actor, params }) => getReviewItem(s, actor, params.itemId),
    assignReviewItem: ({ actor, params, body }) => assignReviewItem(s, actor, params.itemId, body),
    actOnReviewItem: ({ actor, params, body }) => actOnReviewItem(s, actor, params.itemId, body),
    listModerationAudit: ({ actor, query }) => listModerationAudit(s, actor, query),
  };
}
