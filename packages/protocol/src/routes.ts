/**
 * Method, path, auth level and success status of every REST endpoint a user's client calls (with
 * no token, or the user's), as plain data with no schemas: what a client needs to call the API
 * without bundling the validators. The schemas join these in `rest/endpoints.ts`.
 */
export const CLIENT_ROUTES = {
  register: {
    method: 'POST',
    path: '/v1/auth/register',
    auth: 'public',
    status: 201,
  },
  login: {
    method: 'POST',
    path: '/v1/auth/login',
    auth: 'public',
  },
  refresh: {
    method: 'POST',
    path: '/v1/auth/refresh',
    auth: 'public',
  },
  logout: {
    method: 'POST',
    path: '/v1/auth/logout',
    auth: 'public',
  },
  getMe: { method: 'GET', path: '/v1/users/me', auth: 'user' },
  updateMe: {
    method: 'PATCH',
    path: '/v1/users/me',
    auth: 'user',
  },
  queryUsers: {
    method: 'GET',
    path: '/v1/users',
    auth: 'user',
  },
  getUser: { method: 'GET', path: '/v1/users/{userId}', auth: 'user' },
  createChannel: {
    method: 'POST',
    path: '/v1/channels',
    auth: 'user',
    status: 201,
  },
  queryChannels: {
    method: 'POST',
    path: '/v1/channels/query',
    auth: 'user',
  },
  getChannel: {
    method: 'GET',
    path: '/v1/channels/{type}/{id}',
    auth: 'user',
  },
  updateChannel: {
    method: 'PATCH',
    path: '/v1/channels/{type}/{id}',
    auth: 'user',
  },
  deleteChannel: {
    method: 'DELETE',
    path: '/v1/channels/{type}/{id}',
    auth: 'user',
  },
  freezeChannel: {
    method: 'POST',
    path: '/v1/channels/{type}/{id}/freeze',
    auth: 'user',
  },
  unfreezeChannel: {
    method: 'POST',
    path: '/v1/channels/{type}/{id}/unfreeze',
    auth: 'user',
  },
  truncateChannel: {
    method: 'POST',
    path: '/v1/channels/{type}/{id}/truncate',
    auth: 'user',
  },
  listMembers: {
    method: 'GET',
    path: '/v1/channels/{type}/{id}/members',
    auth: 'user',
  },
  addMembers: {
    method: 'POST',
    path: '/v1/channels/{type}/{id}/members',
    auth: 'user',
  },
  removeMembers: {
    method: 'POST',
    path: '/v1/channels/{type}/{id}/members/remove',
    auth: 'user',
  },
  setMemberRole: {
    method: 'PATCH',
    path: '/v1/channels/{type}/{id}/members/{userId}',
    auth: 'user',
  },
  muteChannel: {
    method: 'POST',
    path: '/v1/channels/{type}/{id}/mute',
    auth: 'user',
  },
  unmuteChannel: {
    method: 'POST',
    path: '/v1/channels/{type}/{id}/unmute',
    auth: 'user',
  },
  banMember: {
    method: 'POST',
    path: '/v1/channels/{type}/{id}/bans',
    auth: 'user',
  },
  unbanMember: {
    method: 'DELETE',
    path: '/v1/channels/{type}/{id}/bans/{userId}',
    auth: 'user',
  },
  sendMessage: {
    method: 'POST',
    path: '/v1/channels/{type}/{id}/messages',
    auth: 'user',
    status: 201,
  },
  listMessages: {
    method: 'GET',
    path: '/v1/channels/{type}/{id}/messages',
    auth: 'user',
  },
  getMessage: { method: 'GET', path: '/v1/messages/{id}', auth: 'user' },
  updateMessage: {
    method: 'PATCH',
    path: '/v1/messages/{id}',
    auth: 'user',
  },
  deleteMessage: {
    method: 'DELETE',
    path: '/v1/messages/{id}',
    auth: 'user',
  },
  pinMessage: { method: 'POST', path: '/v1/messages/{id}/pin', auth: 'user' },
  unpinMessage: { method: 'DELETE', path: '/v1/messages/{id}/pin', auth: 'user' },
  listReplies: {
    method: 'GET',
    path: '/v1/messages/{id}/replies',
    auth: 'user',
  },
  listReactions: { method: 'GET', path: '/v1/messages/{id}/reactions', auth: 'user' },
  addReaction: {
    method: 'POST',
    path: '/v1/messages/{id}/reactions',
    auth: 'user',
    status: 201,
  },
  removeReaction: {
    method: 'DELETE',
    path: '/v1/messages/{id}/reactions/{reaction}',
    auth: 'user',
  },
  removeLinkPreview: {
    method: 'DELETE',
    path: '/v1/messages/{id}/link-previews',
    auth: 'user',
  },
  markRead: {
    method: 'POST',
    path: '/v1/channels/{type}/{id}/read',
    auth: 'user',
  },
  getReadState: {
    method: 'GET',
    path: '/v1/channels/{type}/{id}/read',
    auth: 'user',
  },
  getUnread: {
    method: 'GET',
    path: '/v1/unread',
    auth: 'user',
  },
  saveDraft: {
    method: 'PUT',
    path: '/v1/channels/{type}/{id}/draft',
    auth: 'user',
  },
  getDraft: {
    method: 'GET',
    path: '/v1/channels/{type}/{id}/draft',
    auth: 'user',
  },
  deleteDraft: {
    method: 'DELETE',
    path: '/v1/channels/{type}/{id}/draft',
    auth: 'user',
  },
  search: {
    method: 'GET',
    path: '/v1/search',
    auth: 'user',
  },
  createUpload: {
    method: 'POST',
    path: '/v1/uploads',
    auth: 'user',
    status: 201,
  },
  completeUpload: {
    method: 'POST',
    path: '/v1/uploads/{uploadId}/complete',
    auth: 'user',
  },
  getUpload: {
    method: 'GET',
    path: '/v1/uploads/{uploadId}',
    auth: 'user',
  },
  deleteUpload: {
    method: 'DELETE',
    path: '/v1/uploads/{uploadId}',
    auth: 'user',
  },
  createResumableUpload: {
    method: 'POST',
    path: '/v1/uploads/resumable',
    auth: 'user',
    status: 201,
  },
  signUploadParts: {
    method: 'POST',
    path: '/v1/uploads/{uploadId}/parts',
    auth: 'user',
  },
  listUploadParts: {
    method: 'GET',
    path: '/v1/uploads/{uploadId}/parts',
    auth: 'user',
  },
  recordUploadPart: {
    method: 'PUT',
    path: '/v1/uploads/{uploadId}/parts/{partNumber}',
    auth: 'user',
  },
  registerDevice: {
    method: 'POST',
    path: '/v1/devices',
    auth: 'user',
    status: 201,
  },
  listDevices: {
    method: 'GET',
    path: '/v1/devices',
    auth: 'user',
  },
  deleteDevice: {
    method: 'DELETE',
    path: '/v1/devices/{deviceId}',
    auth: 'user',
  },
  getPushConfig: {
    method: 'GET',
    path: '/v1/push/config',
    auth: 'user',
  },
  getPushPreferences: {
    method: 'GET',
    path: '/v1/push/preferences',
    auth: 'user',
  },
  setPushPreferences: {
    method: 'PUT',
    path: '/v1/push/preferences',
    auth: 'user',
  },
  listMutedUsers: {
    method: 'GET',
    path: '/v1/users/me/mutes',
    auth: 'user',
  },
  muteUser: {
    method: 'POST',
    path: '/v1/users/{userId}/mute',
    auth: 'user',
  },
  unmuteUser: {
    method: 'DELETE',
    path: '/v1/users/{userId}/mute',
    auth: 'user',
  },
} as const;

/**
 * Safety and moderation (reports, blocks, pins, slow mode, the review queue, app bans, blocklists):
 * user-token endpoints that `@chat/core/moderation` calls with this table of its own, so the
 * client's bundle, which most users of most apps need, does not carry them.
 */
export const MODERATION_ROUTES = {
  // Slow mode and the pinned-messages list.
  setSlowMode: {
    method: 'PUT',
    path: '/v1/channels/{type}/{id}/slow-mode',
    auth: 'user',
  },
  listPinnedMessages: {
    method: 'GET',
    path: '/v1/channels/{type}/{id}/pinned',
    auth: 'user',
  },
  // Reports, the review queue and the audit log.
  reportMessage: { method: 'POST', path: '/v1/messages/{id}/report', auth: 'user', status: 201 },
  reportUser: { method: 'POST', path: '/v1/users/{userId}/report', auth: 'user', status: 201 },
  listReviewItems: { method: 'GET', path: '/v1/moderation/queue', auth: 'user' },
  getReviewItem: { method: 'GET', path: '/v1/moderation/queue/{itemId}', auth: 'user' },
  assignReviewItem: { method: 'POST', path: '/v1/moderation/queue/{itemId}/assign', auth: 'user' },
  actOnReviewItem: { method: 'POST', path: '/v1/moderation/queue/{itemId}/actions', auth: 'user' },
  listModerationAudit: { method: 'GET', path: '/v1/moderation/audit', auth: 'user' },
  // User safety: blocks, app-wide and shadow bans, timeouts.
  listBlockedUsers: {
    method: 'GET',
    path: '/v1/users/me/blocks',
    auth: 'user',
  },
  blockUser: {
    method: 'POST',
    path: '/v1/users/{userId}/block',
    auth: 'user',
  },
  unblockUser: {
    method: 'DELETE',
    path: '/v1/users/{userId}/block',
    auth: 'user',
  },
  getUserStanding: {
    method: 'GET',
    path: '/v1/users/{userId}/standing',
    auth: 'user',
  },
  banUserFromApp: {
    method: 'POST',
    path: '/v1/users/{userId}/ban',
    auth: 'user',
  },
  unbanUserFromApp: {
    method: 'DELETE',
    path: '/v1/users/{userId}/ban',
    auth: 'user',
  },
  timeOutUser: {
    method: 'POST',
    path: '/v1/users/{userId}/timeout',
    auth: 'user',
  },
  endUserTimeout: {
    method: 'DELETE',
    path: '/v1/users/{userId}/timeout',
    auth: 'user',
  },
  // Blocklists: app admins and the server token.
  createBlocklist: {
    method: 'POST',
    path: '/v1/blocklists',
    auth: 'user',
    status: 201,
  },
  listBlocklists: { method: 'GET', path: '/v1/blocklists', auth: 'user' },
  getBlocklist: { method: 'GET', path: '/v1/blocklists/{blocklistId}', auth: 'user' },
  updateBlocklist: { method: 'PATCH', path: '/v1/blocklists/{blocklistId}', auth: 'user' },
  deleteBlocklist: { method: 'DELETE', path: '/v1/blocklists/{blocklistId}', auth: 'user' },
  changeBlocklistEntries: {
    method: 'POST',
    path: '/v1/blocklists/{blocklistId}/entries',
    auth: 'user',
  },
} as const;

/**
 * The endpoints an application's backend calls with a server token (users, webhooks, push
 * providers, hooks): kept apart so that the browser SDKs, which cannot call them, do not carry
 * them.
 */
export const SERVER_ROUTES = {
  upsertUsers: {
    method: 'POST',
    path: '/v1/users',
    auth: 'server',
  },
  getPushSettings: {
    method: 'GET',
    path: '/v1/push/settings',
    auth: 'server',
  },
  setPushSettings: {
    method: 'PUT',
    path: '/v1/push/settings',
    auth: 'server',
  },
  getPushStats: {
    method: 'GET',
    path: '/v1/push/stats',
    auth: 'server',
  },
  getUploadPolicy: {
    method: 'GET',
    path: '/v1/upload-policy',
    auth: 'server',
  },
  setUploadPolicy: {
    method: 'PUT',
    path: '/v1/upload-policy',
    auth: 'server',
  },
  setWebPush: {
    method: 'PUT',
    path: '/v1/push/web',
    auth: 'server',
  },
  deleteWebPush: {
    method: 'DELETE',
    path: '/v1/push/web',
    auth: 'server',
  },
  setFcmPush: {
    method: 'PUT',
    path: '/v1/push/fcm',
    auth: 'server',
  },
  deleteFcmPush: {
    method: 'DELETE',
    path: '/v1/push/fcm',
    auth: 'server',
  },
  setApnsPush: {
    method: 'PUT',
    path: '/v1/push/apns',
    auth: 'server',
  },
  deleteApnsPush: {
    method: 'DELETE',
    path: '/v1/push/apns',
    auth: 'server',
  },
  createWebhook: {
    method: 'POST',
    path: '/v1/webhooks',
    auth: 'server',
    status: 201,
  },
  listWebhooks: { method: 'GET', path: '/v1/webhooks', auth: 'server' },
  getWebhook: {
    method: 'GET',
    path: '/v1/webhooks/{webhookId}',
    auth: 'server',
  },
  updateWebhook: {
    method: 'PATCH',
    path: '/v1/webhooks/{webhookId}',
    auth: 'server',
  },
  deleteWebhook: {
    method: 'DELETE',
    path: '/v1/webhooks/{webhookId}',
    auth: 'server',
  },
  rotateWebhookSecret: {
    method: 'POST',
    path: '/v1/webhooks/{webhookId}/secret/rotate',
    auth: 'server',
  },
  listWebhookDeliveries: {
    method: 'GET',
    path: '/v1/webhooks/{webhookId}/deliveries',
    auth: 'server',
  },
  replayWebhookDelivery: {
    method: 'POST',
    path: '/v1/webhooks/{webhookId}/deliveries/{deliveryId}/replay',
    auth: 'server',
    status: 201,
  },
  replayWebhookEvents: {
    method: 'POST',
    path: '/v1/webhooks/{webhookId}/replay',
    auth: 'server',
  },
  getBeforeSendHook: {
    method: 'GET',
    path: '/v1/hooks/before-send',
    auth: 'server',
  },
  setBeforeSendHook: {
    method: 'PUT',
    path: '/v1/hooks/before-send',
    auth: 'server',
  },
  deleteBeforeSendHook: {
    method: 'DELETE',
    path: '/v1/hooks/before-send',
    auth: 'server',
  },
} as const;

/** Every REST endpoint (pure: a bundle that uses only `CLIENT_ROUTES` drops the rest). */
export const ROUTES: typeof CLIENT_ROUTES & typeof MODERATION_ROUTES & typeof SERVER_ROUTES =
  /* @__PURE__ */ Object.assign({}, CLIENT_ROUTES, MODERATION_ROUTES, SERVER_ROUTES);

export type RouteName = keyof typeof ROUTES;
/** The endpoints a user's client calls. */
export type ClientRouteName = keyof typeof CLIENT_ROUTES;
/** The endpoints of `@chat/core/moderation`. */
export type ModerationRouteName = keyof typeof MODERATION_ROUTES;
