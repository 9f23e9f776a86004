import { z } from 'zod';
import { reactionType } from '../entities/message';
import { channelId, channelType, messageId, userId } from '../primitives';
import { loginBody, logoutBody, refreshBody, registerBody, tokenResponse } from './auth';
import {
  channelListResponse,
  channelResponse,
  channelStateResponse,
  createChannelBody,
  queryChannelsBody,
  updateChannelBody,
} from './channels';
import { banBody, memberIdsBody, membersResponse, setMemberRoleBody } from './members';
import {
  addReactionBody,
  listMessagesQuery,
  messageResponse,
  messagesResponse,
  sendMessageBody,
  updateMessageBody,
} from './messages';
import {
  draftQuery,
  draftResponse,
  markReadBody,
  readResponse,
  saveDraftBody,
  unreadResponse,
} from './reads';
import { searchQuery, searchResponse } from './search';
import { queryUsersQuery, updateSelfBody, upsertUsersBody, userResponse, usersResponse } from './users';

/**
 * Who may call an endpoint: `public` needs only the api key, `user` a user token, `server` a
 * token signed with the app secret carrying `server: true`.
 */
export type EndpointAuth = 'public' | 'user' | 'server';

export interface Endpoint {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI-style path, e.g. `/v1/channels/{type}/{id}`. */
  path: string;
  summary: string;
  auth: EndpointAuth;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response: z.ZodType;
  /** Success status; 200 unless said. */
  status?: 200 | 201 | 204;
}

const channelParams = z.strictObject({ type: channelType, id: channelId });
const messageParams = z.strictObject({ id: messageId });
const ok = z.object({ ok: z.literal(true) });

/**
 * The REST API v1, defined once. The server registers a handler per key and validates with these
 * schemas; the OpenAPI document is generated from this table; the SDK types its calls with it.
 */
export const endpoints = {
  register: {
    method: 'POST',
    path: '/v1/auth/register',
    summary: 'Create a password account and log in',
    auth: 'public',
    body: registerBody,
    response: tokenResponse,
    status: 201,
  },
  login: {
    method: 'POST',
    path: '/v1/auth/login',
    summary: 'Log in with username and password',
    auth: 'public',
    body: loginBody,
    response: tokenResponse,
  },
  refresh: {
    method: 'POST',
    path: '/v1/auth/refresh',
    summary: 'Rotate a refresh token for a new token pair',
    auth: 'public',
    body: refreshBody,
    response: tokenResponse,
  },
  logout: {
    method: 'POST',
    path: '/v1/auth/logout',
    summary: 'Revoke a refresh token (and its family)',
    auth: 'public',
    body: logoutBody,
    response: ok,
  },

  getMe: {
    method: 'GET',
    path: '/v1/users/me',
    summary: 'The calling user',
    auth: 'user',
    response: userResponse,
  },
  updateMe: {
    method: 'PATCH',
    path: '/v1/users/me',
    summary: "Update the calling user's profile",
    auth: 'user',
    body: updateSelfBody,
    response: userResponse,
  },
  queryUsers: {
    method: 'GET',
    path: '/v1/users',
    summary: 'Find users by ids or by a name prefix',
    auth: 'user',
    query: queryUsersQuery,
    response: usersResponse,
  },
  getUser: {
    method: 'GET',
    path: '/v1/users/{userId}',
    summary: 'One user',
    auth: 'user',
    params: z.strictObject({ userId }),
    response: userResponse,
  },
  upsertUsers: {
    method: 'POST',
    path: '/v1/users',
    summary: 'Create or update users (server-side)',
    auth: 'server',
    body: upsertUsersBody,
    response: usersResponse,
  },

  createChannel: {
    method: 'POST',
    path: '/v1/channels',
    summary: 'Create a channel, or get the distinct channel of a member list',
    auth: 'user',
    body: createChannelBody,
    response: channelStateResponse,
    status: 201,
  },
  queryChannels: {
    method: 'POST',
    path: '/v1/channels/query',
    summary: 'List channels by filter, sorted, with cursor pagination',
    auth: 'user',
    body: queryChannelsBody,
    response: channelListResponse,
  },
  getChannel: {
    method: 'GET',
    path: '/v1/channels/{type}/{id}',
    summary: 'A channel with members, latest messages and read state',
    auth: 'user',
    params: channelParams,
    response: channelStateResponse,
  },
  updateChannel: {
    method: 'PATCH',
    path: '/v1/channels/{type}/{id}',
    summary: 'Update name, image or custom data',
    auth: 'user',
    params: channelParams,
    body: updateChannelBody,
    response: channelResponse,
  },
  deleteChannel: {
    method: 'DELETE',
    path: '/v1/channels/{type}/{id}',
    summary: 'Soft-delete a channel',
    auth: 'user',
    params: channelParams,
    response: channelResponse,
  },
  freezeChannel: {
    method: 'POST',
    path: '/v1/channels/{type}/{id}/freeze',
    summary: 'Stop new messages',
    auth: 'user',
    params: channelParams,
    response: channelResponse,
  },
  unfreezeChannel: {
    method: 'POST',
    path: '/v1/channels/{type}/{id}/unfreeze',
    summary: 'Allow new messages again',
    auth: 'user',
    params: channelParams,
    response: channelResponse,
  },
  truncateChannel: {
    method: 'POST',
    path: '/v1/channels/{type}/{id}/truncate',
    summary: 'Hide all messages sent so far',
    auth: 'user',
    params: channelParams,
    response: channelResponse,
  },

  listMembers: {
    method: 'GET',
    path: '/v1/channels/{type}/{id}/members',
    summary: 'Members of a channel',
    auth: 'user',
    params: channelParams,
    response: membersResponse,
  },
  addMembers: {
    method: 'POST',
    path: '/v1/channels/{type}/{id}/members',
    summary: 'Add members',
    auth: 'user',
    params: channelParams,
    body: memberIdsBody,
    response: membersResponse,
  },
  removeMembers: {
    method: 'POST',
    path: '/v1/channels/{type}/{id}/members/remove',
    summary: 'Remove members (or leave)',
    auth: 'user',
    params: channelParams,
    body: memberIdsBody,
    response: membersResponse,
  },
  setMemberRole: {
    method: 'PATCH',
    path: '/v1/channels/{type}/{id}/members/{userId}',
    summary: "Set a member's role",
    auth: 'user',
    params: channelParams.extend({ userId }),
    body: setMemberRoleBody,
    response: membersResponse,
  },
  muteChannel: {
    method: 'POST',
    path: '/v1/channels/{type}/{id}/mute',
    summary: 'Mute the channel for oneself',
    auth: 'user',
    params: channelParams,
    response: membersResponse,
  },
  unmuteChannel: {
    method: 'POST',
    path: '/v1/channels/{type}/{id}/unmute',
    summary: 'Unmute the channel for oneself',
    auth: 'user',
    params: channelParams,
    response: membersResponse,
  },
  banMember: {
    method: 'POST',
    path: '/v1/channels/{type}/{id}/bans',
    summary: 'Ban a user from the channel (moderators)',
    auth: 'user',
    params: channelParams,
    body: banBody,
    response: membersResponse,
  },
  unbanMember: {
    method: 'DELETE',
    path: '/v1/channels/{type}/{id}/bans/{userId}',
    summary: 'Lift a ban (moderators)',
    auth: 'user',
    params: channelParams.extend({ userId }),
    response: membersResponse,
  },

  sendMessage: {
    method: 'POST',
    path: '/v1/channels/{type}/{id}/messages',
    summary: 'Send a message (idempotent by client_msg_id)',
    auth: 'user',
    params: channelParams,
    body: sendMessageBody,
    response: messageResponse,
    status: 201,
  },
  listMessages: {
    method: 'GET',
    path: '/v1/channels/{type}/{id}/messages',
    summary: 'Page through messages',
    auth: 'user',
    params: channelParams,
    query: listMessagesQuery,
    response: messagesResponse,
  },
  getMessage: {
    method: 'GET',
    path: '/v1/messages/{id}',
    summary: 'One message',
    auth: 'user',
    params: messageParams,
    response: messageResponse,
  },
  updateMessage: {
    method: 'PATCH',
    path: '/v1/messages/{id}',
    summary: 'Edit a message (author)',
    auth: 'user',
    params: messageParams,
    body: updateMessageBody,
    response: messageResponse,
  },
  deleteMessage: {
    method: 'DELETE',
    path: '/v1/messages/{id}',
    summary: 'Soft-delete a message (author or moderator)',
    auth: 'user',
    params: messageParams,
    response: messageResponse,
  },
  pinMessage: {
    method: 'POST',
    path: '/v1/messages/{id}/pin',
    summary: 'Pin a message',
    auth: 'user',
    params: messageParams,
    response: messageResponse,
  },
  unpinMessage: {
    method: 'DELETE',
    path: '/v1/messages/{id}/pin',
    summary: 'Unpin a message',
    auth: 'user',
    params: messageParams,
    response: messageResponse,
  },
  listReplies: {
    method: 'GET',
    path: '/v1/messages/{id}/replies',
    summary: 'Page through a thread',
    auth: 'user',
    params: messageParams,
    query: listMessagesQuery,
    response: messagesResponse,
  },
  addReaction: {
    method: 'POST',
    path: '/v1/messages/{id}/reactions',
    summary: 'React to a message',
    auth: 'user',
    params: messageParams,
    body: addReactionBody,
    response: messageResponse,
    status: 201,
  },
  removeReaction: {
    method: 'DELETE',
    path: '/v1/messages/{id}/reactions/{reaction}',
    summary: 'Remove a reaction',
    auth: 'user',
    params: messageParams.extend({ reaction: reactionType }),
    response: messageResponse,
  },

  markRead: {
    method: 'POST',
    path: '/v1/channels/{type}/{id}/read',
    summary: 'Mark the channel read',
    auth: 'user',
    params: channelParams,
    body: markReadBody,
    response: readResponse,
  },
  getReadState: {
    method: 'GET',
    path: '/v1/channels/{type}/{id}/read',
    summary: "Members' read state",
    auth: 'user',
    params: channelParams,
    response: readResponse,
  },
  getUnread: {
    method: 'GET',
    path: '/v1/unread',
    summary: 'Unread counts per channel and in total',
    auth: 'user',
    response: unreadResponse,
  },

  saveDraft: {
    method: 'PUT',
    path: '/v1/channels/{type}/{id}/draft',
    summary: 'Save the draft of a channel or thread',
    auth: 'user',
    params: channelParams,
    body: saveDraftBody,
    response: draftResponse,
  },
  getDraft: {
    method: 'GET',
    path: '/v1/channels/{type}/{id}/draft',
    summary: 'The saved draft',
    auth: 'user',
    params: channelParams,
    query: draftQuery,
    response: draftResponse,
  },
  deleteDraft: {
    method: 'DELETE',
    path: '/v1/channels/{type}/{id}/draft',
    summary: 'Delete the draft',
    auth: 'user',
    params: channelParams,
    query: draftQuery,
    response: draftResponse,
  },

  search: {
    method: 'GET',
    path: '/v1/search',
    summary: "Full-text search in the user's channels",
    auth: 'user',
    query: searchQuery,
    response: searchResponse,
  },
} as const satisfies Record<string, Endpoint>;

export type EndpointName = keyof typeof endpoints;
type Def<N extends EndpointName> = (typeof endpoints)[N];
/** The validated body type of an endpoint. */
export type EndpointBody<N extends EndpointName> =
  Def<N> extends { body: z.ZodType } ? z.input<Def<N>['body']> : never;
/** The response type of an endpoint. */
export type EndpointResponse<N extends EndpointName> = z.infer<Def<N>['response']>;
