import type { EndpointName, endpoints } from '@chat/protocol';

/*
 * Method, path and auth of every REST endpoint, copied from the protocol's `endpoints` table
 * without its schemas (see close-codes.ts for why). The `satisfies` type is built from the
 * protocol's literal types: a changed path, a new or removed endpoint fails the build here.
 */
type Route<N extends EndpointName> = Pick<(typeof endpoints)[N], 'method' | 'path' | 'auth'>;

/** The REST routes by endpoint name. */
export const ROUTES = {
  register: { method: 'POST', path: '/v1/auth/register', auth: 'public' },
  login: { method: 'POST', path: '/v1/auth/login', auth: 'public' },
  refresh: { method: 'POST', path: '/v1/auth/refresh', auth: 'public' },
  logout: { method: 'POST', path: '/v1/auth/logout', auth: 'public' },
  getMe: { method: 'GET', path: '/v1/users/me', auth: 'user' },
  updateMe: { method: 'PATCH', path: '/v1/users/me', auth: 'user' },
  queryUsers: { method: 'GET', path: '/v1/users', auth: 'user' },
  getUser: { method: 'GET', path: '/v1/users/{userId}', auth: 'user' },
  upsertUsers: { method: 'POST', path: '/v1/users', auth: 'server' },
  createChannel: { method: 'POST', path: '/v1/channels', auth: 'user' },
  queryChannels: { method: 'POST', path: '/v1/channels/query', auth: 'user' },
  getChannel: { method: 'GET', path: '/v1/channels/{type}/{id}', auth: 'user' },
  updateChannel: { method: 'PATCH', path: '/v1/channels/{type}/{id}', auth: 'user' },
  deleteChannel: { method: 'DELETE', path: '/v1/channels/{type}/{id}', auth: 'user' },
  freezeChannel: { method: 'POST', path: '/v1/channels/{type}/{id}/freeze', auth: 'user' },
  unfreezeChannel: { method: 'POST', path: '/v1/channels/{type}/{id}/unfreeze', auth: 'user' },
  truncateChannel: { method: 'POST', path: '/v1/channels/{type}/{id}/truncate', auth: 'user' },
  listMembers: { method: 'GET', path: '/v1/channels/{type}/{id}/members', auth: 'user' },
  addMembers: { method: 'POST', path: '/v1/channels/{type}/{id}/members', auth: 'user' },
  removeMembers: { method: 'POST', path: '/v1/channels/{type}/{id}/members/remove', auth: 'user' },
  setMemberRole: { method: 'PATCH', path: '/v1/channels/{type}/{id}/members/{userId}', auth: 'user' },
  muteChannel: { method: 'POST', path: '/v1/channels/{type}/{id}/mute', auth: 'user' },
  unmuteChannel: { method: 'POST', path: '/v1/channels/{type}/{id}/unmute', auth: 'user' },
  banMember: { method: 'POST', path: '/v1/channels/{type}/{id}/bans', auth: 'user' },
  unbanMember: { method: 'DELETE', path: '/v1/channels/{type}/{id}/bans/{userId}', auth: 'user' },
  sendMessage: { method: 'POST', path: '/v1/channels/{type}/{id}/messages', auth: 'user' },
  listMessages: { method: 'GET', path: '/v1/channels/{type}/{id}/messages', auth: 'user' },
  getMessage: { method: 'GET', path: '/v1/messages/{id}', auth: 'user' },
  updateMessage: { method: 'PATCH', path: '/v1/messages/{id}', auth: 'user' },
  deleteMessage: { method: 'DELETE', path: '/v1/messages/{id}', auth: 'user' },
  pinMessage: { method: 'POST', path: '/v1/messages/{id}/pin', auth: 'user' },
  unpinMessage: { method: 'DELETE', path: '/v1/messages/{id}/pin', auth: 'user' },
  listReplies: { method: 'GET', path: '/v1/messages/{id}/replies', auth: 'user' },
  addReaction: { method: 'POST', path: '/v1/messages/{id}/reactions', auth: 'user' },
  removeReaction: { method: 'DELETE', path: '/v1/messages/{id}/reactions/{reaction}', auth: 'user' },
  markRead: { method: 'POST', path: '/v1/channels/{type}/{id}/read', auth: 'user' },
  getReadState: { method: 'GET', path: '/v1/channels/{type}/{id}/read', auth: 'user' },
  getUnread: { method: 'GET', path: '/v1/unread', auth: 'user' },
  saveDraft: { method: 'PUT', path: '/v1/channels/{type}/{id}/draft', auth: 'user' },
  getDraft: { method: 'GET', path: '/v1/channels/{type}/{id}/draft', auth: 'user' },
  deleteDraft: { method: 'DELETE', path: '/v1/channels/{type}/{id}/draft', auth: 'user' },
  search: { method: 'GET', path: '/v1/search', auth: 'user' },
} as const satisfies { readonly [N in EndpointName]: Route<N> };
