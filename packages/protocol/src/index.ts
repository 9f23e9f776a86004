export { type AckResult, ackResults } from './acks';
export { CLOSE_CODES, type CloseCode, TERMINAL_CLOSE_CODES } from './close-codes';
export { type Application, application } from './entities/application';
export {
  type Channel,
  channel,
  type Draft,
  draft,
  MEMBER_ROLES,
  type Member,
  type MemberRole,
  member,
  memberRole,
  type ReadState,
  readState,
} from './entities/channel';
export {
  ATTACHMENT_TYPES,
  type Attachment,
  type AttachmentInput,
  type AttachmentThumbnail,
  attachment,
  attachmentInput,
  attachmentThumbnail,
  type LinkPreview,
  linkedAttachment,
  linkPreview,
  MESSAGE_TYPES,
  type Message,
  message,
  type Reaction,
  reaction,
  reactionType,
  uploadedAttachment,
} from './entities/message';
// Channel moderation: system messages.
export {
  SYSTEM_MESSAGE_KINDS,
  type SystemMessageInfo,
  type SystemMessageKind,
  systemMessageInfo,
} from './entities/system-message';
export { USER_ROLES, type User, type UserRef, type UserRole, user, userRef, userRole } from './entities/user';
export {
  ERROR_CODES,
  type ErrorBody,
  type ErrorCode,
  type ErrorIssue,
  type ErrorResponse,
  errorBody,
  errorCode,
  errorIssue,
  errorResponse,
  makeError,
  toErrorIssues,
} from './errors';
export * from './events';
export * from './frames';
export { LIMITS, MODERATION_LIMITS } from './limits';
export * from './portal/index';
export {
  CHANNEL_TYPES,
  type ChannelType,
  type CustomData,
  channelId,
  channelType,
  cid,
  clientMessageId,
  customData,
  httpUrl,
  idString,
  jsonValue,
  messageId,
  parseCid,
  safeString,
  sequence,
  timestamp,
  toCid,
  userId,
} from './primitives';
export { type PushPayload, pushPayload } from './push-payload';
export * from './rest/auth';
export * from './rest/blocklists';
export * from './rest/channel-moderation';
export * from './rest/channels';
export * from './rest/devices';
export {
  type Endpoint,
  type EndpointAuth,
  type EndpointBody,
  type EndpointName,
  type EndpointResponse,
  endpoints,
} from './rest/endpoints';
export * from './rest/members';
export * from './rest/messages';
export * from './rest/moderation';
export * from './rest/push-settings';
export * from './rest/reads';
export * from './rest/search';
export * from './rest/upload-parts';
export * from './rest/upload-policy';
export * from './rest/uploads';
export * from './rest/user-mutes';
export * from './rest/user-safety';
export * from './rest/users';
export * from './rest/webhooks';
export { ROUTE_SUMMARIES } from './route-summaries';
export {
  CLIENT_ROUTES,
  type ClientRouteName,
  MODERATION_ROUTES,
  type ModerationRouteName,
  ROUTES,
  type RouteName,
  SERVER_ROUTES,
} from './routes';
export {
  type ParseResult,
  parseClientFrame,
  parseServerFrame,
  type ServerFrame,
  serverFrame,
  validateInput,
} from './wire';
