import { z } from 'zod';
import { userId } from '../primitives';
import {
  blocklistResponse,
  blocklistsResponse,
  changeBlocklistEntriesBody,
  createBlocklistBody,
  updateBlocklistBody,
} from './blocklists';
import { listPinnedMessagesQuery, pinnedMessagesResponse, setSlowModeBody } from './channel-moderation';
import { channelResponse } from './channels';
import {
  blocklistParams,
  channelParams,
  type Endpoint,
  messageParams,
  ok,
  reviewItemParams,
  route,
} from './endpoint-parts';
import {
  assignReviewItemBody,
  listModerationAuditQuery,
  listReviewItemsQuery,
  moderationAuditResponse,
  reportBody,
  reportResponse,
  reviewActionBody,
  reviewItemResponse,
  reviewItemsResponse,
} from './moderation';
import {
  appBanBody,
  appUnbanQuery,
  blockedUserResponse,
  blockedUsersResponse,
  timeoutBody,
  userStandingResponse,
} from './user-safety';

/**
 * The moderation and safety endpoints (reports, the review queue, the audit log, user blocks,
 * app bans and timeouts, blocklists; slow mode and pins), part of `endpoints` (endpoints.ts).
 */
export const moderationEndpoints = {
  // Reports, the review queue and the audit log.
  reportMessage: {
    ...route('reportMessage'),
    params: messageParams,
    body: reportBody,
    response: reportResponse,
  },
  reportUser: {
    ...route('reportUser'),
    params: z.strictObject({ userId }),
    body: reportBody,
    response: reportResponse,
  },
  listReviewItems: {
    ...route('listReviewItems'),
    query: listReviewItemsQuery,
    response: reviewItemsResponse,
  },
  getReviewItem: { ...route('getReviewItem'), params: reviewItemParams, response: reviewItemResponse },
  assignReviewItem: {
    ...route('assignReviewItem'),
    params: reviewItemParams,
    body: assignReviewItemBody,
    response: reviewItemResponse,
  },
  actOnReviewItem: {
    ...route('actOnReviewItem'),
    params: reviewItemParams,
    body: reviewActionBody,
    response: reviewItemResponse,
  },
  listModerationAudit: {
    ...route('listModerationAudit'),
    query: listModerationAuditQuery,
    response: moderationAuditResponse,
  },
  // User safety.
  listBlockedUsers: { ...route('listBlockedUsers'), response: blockedUsersResponse },
  blockUser: { ...route('blockUser'), params: z.strictObject({ userId }), response: blockedUserResponse },
  unblockUser: { ...route('unblockUser'), params: z.strictObject({ userId }), response: ok },
  getUserStanding: {
    ...route('getUserStanding'),
    params: z.strictObject({ userId }),
    response: userStandingResponse,
  },
  banUserFromApp: {
    ...route('banUserFromApp'),
    params: z.strictObject({ userId }),
    body: appBanBody,
    response: userStandingResponse,
  },
  unbanUserFromApp: {
    ...route('unbanUserFromApp'),
    params: z.strictObject({ userId }),
    query: appUnbanQuery,
    response: userStandingResponse,
  },
  timeOutUser: {
    ...route('timeOutUser'),
    params: z.strictObject({ userId }),
    body: timeoutBody,
    response: userStandingResponse,
  },
  endUserTimeout: {
    ...route('endUserTimeout'),
    params: z.strictObject({ userId }),
    response: userStandingResponse,
  },
  // Blocklists.
  createBlocklist: { ...route('createBlocklist'), body: createBlocklistBody, response: blocklistResponse },
  listBlocklists: { ...route('listBlocklists'), response: blocklistsResponse },
  getBlocklist: { ...route('getBlocklist'), params: blocklistParams, response: blocklistResponse },
  updateBlocklist: {
    ...route('updateBlocklist'),
    params: blocklistParams,
    body: updateBlocklistBody,
    response: blocklistResponse,
  },
  deleteBlocklist: { ...route('deleteBlocklist'), params: blocklistParams, response: ok },
  changeBlocklistEntries: {
    ...route('changeBlocklistEntries'),
    params: blocklistParams,
    body: changeBlocklistEntriesBody,
    response: blocklistResponse,
  },
} as const satisfies Record<string, Endpoint>;

/** Slow mode and the pinned list of a channel. */
export const channelModerationEndpoints = {
  setSlowMode: {
    ...route('setSlowMode'),
    params: channelParams,
    body: setSlowModeBody,
    response: channelResponse,
  },
  listPinnedMessages: {
    ...route('listPinnedMessages'),
    params: channelParams,
    query: listPinnedMessagesQuery,
    response: pinnedMessagesResponse,
  },
} as const satisfies Record<string, Endpoint>;
