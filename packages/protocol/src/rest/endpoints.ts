import { z } from 'zod';
import { reactionType } from '../entities/message';
import { channelId, channelType, messageId, userId } from '../primitives';
import { ROUTES } from '../routes';
import { loginBody, logoutBody, refreshBody, registerBody, tokenResponse } from './auth';
import {
  channelListResponse,
  channelResponse,
  channelStateResponse,
  createChannelBody,
  queryChannelsBody,
  updateChannelBody,
} from './channels';
import {
  apnsPushResponse,
  deviceResponse,
  devicesResponse,
  fcmPushResponse,
  pushConfigResponse,
  pushPreferencesResponse,
  registerDeviceBody,
  setApnsPushBody,
  setFcmPushBody,
  setPushPreferencesBody,
  setWebPushBody,
  webPushResponse,
} from './devices';
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
  pushSettingsResponse,
  pushStatsQuery,
  pushStatsResponse,
  setPushSettingsBody,
} from './push-settings';
import {
  draftQuery,
  draftResponse,
  markReadBody,
  readResponse,
  saveDraftBody,
  unreadResponse,
} from './reads';
import { searchQuery, searchResponse } from './search';
import { mutedUserResponse, mutedUsersResponse } from './user-mutes';
import { queryUsersQuery, updateSelfBody, upsertUsersBody, userResponse, usersResponse } from './users';
import {
  beforeSendHookResponse,
  beforeSendHookWithSecretResponse,
  createWebhookBody,
  listWebhookDeliveriesQuery,
  replayWebhookEventsBody,
  replayWebhookEventsResponse,
  rotateWebhookSecretBody,
  setBeforeSendHookBody,
  updateWebhookBody,
  webhookDeliveriesResponse,
  webhookDeliveryResponse,
  webhookResponse,
  webhooksResponse,
  webhookWithSecretResponse,
} from './webhooks';

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
const webhookParams = z.strictObject({ webhookId: z.uuid() });
const deviceParams = z.strictObject({ deviceId: z.uuid() });

/**
 * The REST API v1, defined once. The server registers a handler per key and validates with these
 * schemas; the OpenAPI document is generated from this table; the SDK types its calls with it.
 */
export const endpoints = {
  register: {
    ...ROUTES.register,
    body: registerBody,
    response: tokenResponse,
  },
  login: {
    ...ROUTES.login,
    body: loginBody,
    response: tokenResponse,
  },
  refresh: {
    ...ROUTES.refresh,
    body: refreshBody,
    response: tokenResponse,
  },
  logout: {
    ...ROUTES.logout,
    body: logoutBody,
    response: ok,
  },

  getMe: {
    ...ROUTES.getMe,
    response: userResponse,
  },
  updateMe: {
    ...ROUTES.updateMe,
    body: updateSelfBody,
    response: userResponse,
  },
  queryUsers: {
    ...ROUTES.queryUsers,
    query: queryUsersQuery,
    response: usersResponse,
  },
  getUser: {
    ...ROUTES.getUser,
    params: z.strictObject({ userId }),
    response: userResponse,
  },
  upsertUsers: {
    ...ROUTES.upsertUsers,
    body: upsertUsersBody,
    response: usersResponse,
  },

  createChannel: {
    ...ROUTES.createChannel,
    body: createChannelBody,
    response: channelStateResponse,
  },
  queryChannels: {
    ...ROUTES.queryChannels,
    body: queryChannelsBody,
    response: channelListResponse,
  },
  getChannel: {
    ...ROUTES.getChannel,
    params: channelParams,
    response: channelStateResponse,
  },
  updateChannel: {
    ...ROUTES.updateChannel,
    params: channelParams,
    body: updateChannelBody,
    response: channelResponse,
  },
  deleteChannel: {
    ...ROUTES.deleteChannel,
    params: channelParams,
    response: channelResponse,
  },
  freezeChannel: {
    ...ROUTES.freezeChannel,
    params: channelParams,
    response: channelResponse,
  },
  unfreezeChannel: {
    ...ROUTES.unfreezeChannel,
    params: channelParams,
    response: channelResponse,
  },
  truncateChannel: {
    ...ROUTES.truncateChannel,
    params: channelParams,
    response: channelResponse,
  },

  listMembers: {
    ...ROUTES.listMembers,
    params: channelParams,
    response: membersResponse,
  },
  addMembers: {
    ...ROUTES.addMembers,
    params: channelParams,
    body: memberIdsBody,
    response: membersResponse,
  },
  removeMembers: {
    ...ROUTES.removeMembers,
    params: channelParams,
    body: memberIdsBody,
    response: membersResponse,
  },
  setMemberRole: {
    ...ROUTES.setMemberRole,
    params: channelParams.extend({ userId }),
    body: setMemberRoleBody,
    response: membersResponse,
  },
  muteChannel: {
    ...ROUTES.muteChannel,
    params: channelParams,
    response: membersResponse,
  },
  unmuteChannel: {
    ...ROUTES.unmuteChannel,
    params: channelParams,
    response: membersResponse,
  },
  banMember: {
    ...ROUTES.banMember,
    params: channelParams,
    body: banBody,
    response: membersResponse,
  },
  unbanMember: {
    ...ROUTES.unbanMember,
    params: channelParams.extend({ userId }),
    response: membersResponse,
  },

  sendMessage: {
    ...ROUTES.sendMessage,
    params: channelParams,
    body: sendMessageBody,
    response: messageResponse,
  },
  listMessages: {
    ...ROUTES.listMessages,
    params: channelParams,
    query: listMessagesQuery,
    response: messagesResponse,
  },
  getMessage: {
    ...ROUTES.getMessage,
    params: messageParams,
    response: messageResponse,
  },
  updateMessage: {
    ...ROUTES.updateMessage,
    params: messageParams,
    body: updateMessageBody,
    response: messageResponse,
  },
  deleteMessage: {
    ...ROUTES.deleteMessage,
    params: messageParams,
    response: messageResponse,
  },
  pinMessage: {
    ...ROUTES.pinMessage,
    params: messageParams,
    response: messageResponse,
  },
  unpinMessage: {
    ...ROUTES.unpinMessage,
    params: messageParams,
    response: messageResponse,
  },
  listReplies: {
    ...ROUTES.listReplies,
    params: messageParams,
    query: listMessagesQuery,
    response: messagesResponse,
  },
  addReaction: {
    ...ROUTES.addReaction,
    params: messageParams,
    body: addReactionBody,
    response: messageResponse,
  },
  removeReaction: {
    ...ROUTES.removeReaction,
    params: messageParams.extend({ reaction: reactionType }),
    response: messageResponse,
  },

  markRead: {
    ...ROUTES.markRead,
    params: channelParams,
    body: markReadBody,
    response: readResponse,
  },
  getReadState: {
    ...ROUTES.getReadState,
    params: channelParams,
    response: readResponse,
  },
  getUnread: {
    ...ROUTES.getUnread,
    response: unreadResponse,
  },

  saveDraft: {
    ...ROUTES.saveDraft,
    params: channelParams,
    body: saveDraftBody,
    response: draftResponse,
  },
  getDraft: {
    ...ROUTES.getDraft,
    params: channelParams,
    query: draftQuery,
    response: draftResponse,
  },
  deleteDraft: {
    ...ROUTES.deleteDraft,
    params: channelParams,
    query: draftQuery,
    response: draftResponse,
  },

  search: {
    ...ROUTES.search,
    query: searchQuery,
    response: searchResponse,
  },

  registerDevice: {
    ...ROUTES.registerDevice,
    body: registerDeviceBody,
    response: deviceResponse,
  },
  listDevices: {
    ...ROUTES.listDevices,
    response: devicesResponse,
  },
  deleteDevice: {
    ...ROUTES.deleteDevice,
    params: deviceParams,
    response: ok,
  },
  getPushConfig: { ...ROUTES.getPushConfig, response: pushConfigResponse },
  getPushPreferences: { ...ROUTES.getPushPreferences, response: pushPreferencesResponse },
  setPushPreferences: {
    ...ROUTES.setPushPreferences,
    body: setPushPreferencesBody,
    response: pushPreferencesResponse,
  },
  getPushSettings: { ...ROUTES.getPushSettings, response: pushSettingsResponse },
  setPushSettings: { ...ROUTES.setPushSettings, body: setPushSettingsBody, response: pushSettingsResponse },
  getPushStats: { ...ROUTES.getPushStats, query: pushStatsQuery, response: pushStatsResponse },
  listMutedUsers: { ...ROUTES.listMutedUsers, response: mutedUsersResponse },
  muteUser: { ...ROUTES.muteUser, params: z.strictObject({ userId }), response: mutedUserResponse },
  unmuteUser: { ...ROUTES.unmuteUser, params: z.strictObject({ userId }), response: ok },
  setWebPush: { ...ROUTES.setWebPush, body: setWebPushBody, response: webPushResponse },
  deleteWebPush: { ...ROUTES.deleteWebPush, response: ok },
  setFcmPush: { ...ROUTES.setFcmPush, body: setFcmPushBody, response: fcmPushResponse },
  deleteFcmPush: { ...ROUTES.deleteFcmPush, response: ok },
  setApnsPush: { ...ROUTES.setApnsPush, body: setApnsPushBody, response: apnsPushResponse },
  deleteApnsPush: { ...ROUTES.deleteApnsPush, response: ok },

  createWebhook: {
    ...ROUTES.createWebhook,
    body: createWebhookBody,
    response: webhookWithSecretResponse,
  },
  listWebhooks: {
    ...ROUTES.listWebhooks,
    response: webhooksResponse,
  },
  getWebhook: {
    ...ROUTES.getWebhook,
    params: webhookParams,
    response: webhookResponse,
  },
  updateWebhook: {
    ...ROUTES.updateWebhook,
    params: webhookParams,
    body: updateWebhookBody,
    response: webhookResponse,
  },
  deleteWebhook: {
    ...ROUTES.deleteWebhook,
    params: webhookParams,
    response: ok,
  },
  rotateWebhookSecret: {
    ...ROUTES.rotateWebhookSecret,
    params: webhookParams,
    body: rotateWebhookSecretBody,
    response: webhookWithSecretResponse,
  },
  listWebhookDeliveries: {
    ...ROUTES.listWebhookDeliveries,
    params: webhookParams,
    query: listWebhookDeliveriesQuery,
    response: webhookDeliveriesResponse,
  },
  replayWebhookDelivery: {
    ...ROUTES.replayWebhookDelivery,
    params: webhookParams.extend({ deliveryId: z.uuid() }),
    response: webhookDeliveryResponse,
  },
  replayWebhookEvents: {
    ...ROUTES.replayWebhookEvents,
    params: webhookParams,
    body: replayWebhookEventsBody,
    response: replayWebhookEventsResponse,
  },
  getBeforeSendHook: {
    ...ROUTES.getBeforeSendHook,
    response: beforeSendHookResponse,
  },
  setBeforeSendHook: {
    ...ROUTES.setBeforeSendHook,
    body: setBeforeSendHookBody,
    response: beforeSendHookWithSecretResponse,
  },
  deleteBeforeSendHook: {
    ...ROUTES.deleteBeforeSendHook,
    response: beforeSendHookResponse,
  },
} as const satisfies Record<string, Endpoint>;

export type EndpointName = keyof typeof endpoints;
type Def<N extends EndpointName> = (typeof endpoints)[N];
/** The validated body type of an endpoint. */
export type EndpointBody<N extends EndpointName> =
  Def<N> extends { body: z.ZodType } ? z.input<Def<N>['body']> : never;
/** The response type of an endpoint. */
export type EndpointResponse<N extends EndpointName> = z.infer<Def<N>['response']>;
