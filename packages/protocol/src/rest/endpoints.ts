import { z } from 'zod';
import { reactionType } from '../entities/message';
import { userId } from '../primitives';
import {
  channelParams,
  deviceParams,
  type Endpoint,
  messageParams,
  ok,
  route,
  webhookParams,
} from './endpoint-parts';

export type { Endpoint, EndpointAuth } from './endpoint-parts';

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
  listReactionsQuery,
  messageResponse,
  messagesResponse,
  reactionsResponse,
  removeLinkPreviewQuery,
  sendMessageBody,
  updateMessageBody,
} from './messages';
import { channelModerationEndpoints, moderationEndpoints } from './moderation-endpoints';
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
import {
  createResumableUploadResponse,
  recordUploadPartBody,
  signUploadPartsBody,
  signUploadPartsResponse,
  uploadPartParams,
  uploadPartResponse,
  uploadPartsResponse,
} from './upload-parts';
import { setUploadPolicyBody, uploadPolicyResponse } from './upload-policy';
import { createUploadBody, createUploadResponse, uploadParams, uploadResponse } from './uploads';
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
 * The REST API v1, defined once. The server registers a handler per key and validates with these
 * schemas; the OpenAPI document is generated from this table; the SDK types its calls with it.
 */
export const endpoints = {
  register: {
    ...route('register'),
    body: registerBody,
    response: tokenResponse,
  },
  login: {
    ...route('login'),
    body: loginBody,
    response: tokenResponse,
  },
  refresh: {
    ...route('refresh'),
    body: refreshBody,
    response: tokenResponse,
  },
  logout: {
    ...route('logout'),
    body: logoutBody,
    response: ok,
  },

  getMe: {
    ...route('getMe'),
    response: userResponse,
  },
  updateMe: {
    ...route('updateMe'),
    body: updateSelfBody,
    response: userResponse,
  },
  queryUsers: {
    ...route('queryUsers'),
    query: queryUsersQuery,
    response: usersResponse,
  },
  getUser: {
    ...route('getUser'),
    params: z.strictObject({ userId }),
    response: userResponse,
  },
  upsertUsers: {
    ...route('upsertUsers'),
    body: upsertUsersBody,
    response: usersResponse,
  },

  createChannel: {
    ...route('createChannel'),
    body: createChannelBody,
    response: channelStateResponse,
  },
  queryChannels: {
    ...route('queryChannels'),
    body: queryChannelsBody,
    response: channelListResponse,
  },
  getChannel: {
    ...route('getChannel'),
    params: channelParams,
    response: channelStateResponse,
  },
  updateChannel: {
    ...route('updateChannel'),
    params: channelParams,
    body: updateChannelBody,
    response: channelResponse,
  },
  deleteChannel: {
    ...route('deleteChannel'),
    params: channelParams,
    response: channelResponse,
  },
  freezeChannel: {
    ...route('freezeChannel'),
    params: channelParams,
    response: channelResponse,
  },
  unfreezeChannel: {
    ...route('unfreezeChannel'),
    params: channelParams,
    response: channelResponse,
  },
  truncateChannel: {
    ...route('truncateChannel'),
    params: channelParams,
    response: channelResponse,
  },

  listMembers: {
    ...route('listMembers'),
    params: channelParams,
    response: membersResponse,
  },
  addMembers: {
    ...route('addMembers'),
    params: channelParams,
    body: memberIdsBody,
    response: membersResponse,
  },
  removeMembers: {
    ...route('removeMembers'),
    params: channelParams,
    body: memberIdsBody,
    response: membersResponse,
  },
  setMemberRole: {
    ...route('setMemberRole'),
    params: channelParams.extend({ userId }),
    body: setMemberRoleBody,
    response: membersResponse,
  },
  muteChannel: {
    ...route('muteChannel'),
    params: channelParams,
    response: membersResponse,
  },
  unmuteChannel: {
    ...route('unmuteChannel'),
    params: channelParams,
    response: membersResponse,
  },
  banMember: {
    ...route('banMember'),
    params: channelParams,
    body: banBody,
    response: membersResponse,
  },
  unbanMember: {
    ...route('unbanMember'),
    params: channelParams.extend({ userId }),
    response: membersResponse,
  },

  sendMessage: {
    ...route('sendMessage'),
    params: channelParams,
    body: sendMessageBody,
    response: messageResponse,
  },
  listMessages: {
    ...route('listMessages'),
    params: channelParams,
    query: listMessagesQuery,
    response: messagesResponse,
  },
  getMessage: {
    ...route('getMessage'),
    params: messageParams,
    response: messageResponse,
  },
  updateMessage: {
    ...route('updateMessage'),
    params: messageParams,
    body: updateMessageBody,
    response: messageResponse,
  },
  deleteMessage: {
    ...route('deleteMessage'),
    params: messageParams,
    response: messageResponse,
  },
  pinMessage: {
    ...route('pinMessage'),
    params: messageParams,
    response: messageResponse,
  },
  unpinMessage: {
    ...route('unpinMessage'),
    params: messageParams,
    response: messageResponse,
  },
  listReplies: {
    ...route('listReplies'),
    params: messageParams,
    query: listMessagesQuery,
    response: messagesResponse,
  },
  listReactions: {
    ...route('listReactions'),
    params: messageParams,
    query: listReactionsQuery,
    response: reactionsResponse,
  },
  addReaction: {
    ...route('addReaction'),
    params: messageParams,
    body: addReactionBody,
    response: messageResponse,
  },
  removeReaction: {
    ...route('removeReaction'),
    params: messageParams.extend({ reaction: reactionType }),
    response: messageResponse,
  },
  removeLinkPreview: {
    ...route('removeLinkPreview'),
    params: messageParams,
    query: removeLinkPreviewQuery,
    response: messageResponse,
  },
  ...channelModerationEndpoints,

  markRead: {
    ...route('markRead'),
    params: channelParams,
    body: markReadBody,
    response: readResponse,
  },
  getReadState: {
    ...route('getReadState'),
    params: channelParams,
    response: readResponse,
  },
  getUnread: {
    ...route('getUnread'),
    response: unreadResponse,
  },

  saveDraft: {
    ...route('saveDraft'),
    params: channelParams,
    body: saveDraftBody,
    response: draftResponse,
  },
  getDraft: {
    ...route('getDraft'),
    params: channelParams,
    query: draftQuery,
    response: draftResponse,
  },
  deleteDraft: {
    ...route('deleteDraft'),
    params: channelParams,
    query: draftQuery,
    response: draftResponse,
  },

  search: {
    ...route('search'),
    query: searchQuery,
    response: searchResponse,
  },

  createUpload: {
    ...route('createUpload'),
    body: createUploadBody,
    response: createUploadResponse,
  },
  completeUpload: { ...route('completeUpload'), params: uploadParams, response: uploadResponse },
  getUpload: { ...route('getUpload'), params: uploadParams, response: uploadResponse },
  deleteUpload: { ...route('deleteUpload'), params: uploadParams, response: ok },
  createResumableUpload: {
    ...route('createResumableUpload'),
    body: createUploadBody,
    response: createResumableUploadResponse,
  },
  signUploadParts: {
    ...route('signUploadParts'),
    params: uploadParams,
    body: signUploadPartsBody,
    response: signUploadPartsResponse,
  },
  listUploadParts: { ...route('listUploadParts'), params: uploadParams, response: uploadPartsResponse },
  recordUploadPart: {
    ...route('recordUploadPart'),
    params: uploadPartParams,
    body: recordUploadPartBody,
    response: uploadPartResponse,
  },
  getUploadPolicy: { ...route('getUploadPolicy'), response: uploadPolicyResponse },
  setUploadPolicy: { ...route('setUploadPolicy'), body: setUploadPolicyBody, response: uploadPolicyResponse },
  registerDevice: {
    ...route('registerDevice'),
    body: registerDeviceBody,
    response: deviceResponse,
  },
  listDevices: {
    ...route('listDevices'),
    response: devicesResponse,
  },
  deleteDevice: {
    ...route('deleteDevice'),
    params: deviceParams,
    response: ok,
  },
  getPushConfig: { ...route('getPushConfig'), response: pushConfigResponse },
  getPushPreferences: { ...route('getPushPreferences'), response: pushPreferencesResponse },
  setPushPreferences: {
    ...route('setPushPreferences'),
    body: setPushPreferencesBody,
    response: pushPreferencesResponse,
  },
  getPushSettings: { ...route('getPushSettings'), response: pushSettingsResponse },
  setPushSettings: { ...route('setPushSettings'), body: setPushSettingsBody, response: pushSettingsResponse },
  getPushStats: { ...route('getPushStats'), query: pushStatsQuery, response: pushStatsResponse },
  listMutedUsers: { ...route('listMutedUsers'), response: mutedUsersResponse },
  muteUser: { ...route('muteUser'), params: z.strictObject({ userId }), response: mutedUserResponse },
  unmuteUser: { ...route('unmuteUser'), params: z.strictObject({ userId }), response: ok },
  ...moderationEndpoints,
  setWebPush: { ...route('setWebPush'), body: setWebPushBody, response: webPushResponse },
  deleteWebPush: { ...route('deleteWebPush'), response: ok },
  setFcmPush: { ...route('setFcmPush'), body: setFcmPushBody, response: fcmPushResponse },
  deleteFcmPush: { ...route('deleteFcmPush'), response: ok },
  setApnsPush: { ...route('setApnsPush'), body: setApnsPushBody, response: apnsPushResponse },
  deleteApnsPush: { ...route('deleteApnsPush'), response: ok },

  createWebhook: {
    ...route('createWebhook'),
    body: createWebhookBody,
    response: webhookWithSecretResponse,
  },
  listWebhooks: {
    ...route('listWebhooks'),
    response: webhooksResponse,
  },
  getWebhook: {
    ...route('getWebhook'),
    params: webhookParams,
    response: webhookResponse,
  },
  updateWebhook: {
    ...route('updateWebhook'),
    params: webhookParams,
    body: updateWebhookBody,
    response: webhookResponse,
  },
  deleteWebhook: {
    ...route('deleteWebhook'),
    params: webhookParams,
    response: ok,
  },
  rotateWebhookSecret: {
    ...route('rotateWebhookSecret'),
    params: webhookParams,
    body: rotateWebhookSecretBody,
    response: webhookWithSecretResponse,
  },
  listWebhookDeliveries: {
    ...route('listWebhookDeliveries'),
    params: webhookParams,
    query: listWebhookDeliveriesQuery,
    response: webhookDeliveriesResponse,
  },
  replayWebhookDelivery: {
    ...route('replayWebhookDelivery'),
    params: webhookParams.extend({ deliveryId: z.uuid() }),
    response: webhookDeliveryResponse,
  },
  replayWebhookEvents: {
    ...route('replayWebhookEvents'),
    params: webhookParams,
    body: replayWebhookEventsBody,
    response: replayWebhookEventsResponse,
  },
  getBeforeSendHook: {
    ...route('getBeforeSendHook'),
    response: beforeSendHookResponse,
  },
  setBeforeSendHook: {
    ...route('setBeforeSendHook'),
    body: setBeforeSendHookBody,
    response: beforeSendHookWithSecretResponse,
  },
  deleteBeforeSendHook: {
    ...route('deleteBeforeSendHook'),
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
