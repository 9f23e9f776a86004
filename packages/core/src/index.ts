/** The wire types apps meet most, so they need not depend on `@chat/protocol` themselves. */
export type {
  Attachment,
  ChannelType,
  ChatEvent,
  Device,
  Draft,
  EventOf,
  Member,
  Message,
  ReadState,
  User,
  UserRef,
} from '@chat/protocol';
export { Auth, type SessionOptions } from './auth';
export { Channel, UNWATCH_GRACE_MS } from './channel';
export type { ChannelContext } from './channel-context';
export {
  ChannelListQuery,
  type ChannelListQueryState,
  type ChannelQueryInput,
} from './channel-list-query';
export { Channels } from './channels';
export { ChatClient, type ChatClientOptions } from './client';
export { type BackoffOptions, backoffDelay } from './connection/backoff';
export {
  ConnectionManager,
  type ConnectionManagerInit,
  type ConnectionOptions,
  type ReconnectedInfo,
} from './connection/connection-manager';
export type { ConnectionState, ConnectionStatus } from './connection/connection-state';
export type { RequestFrame, SocketTimings } from './connection/socket';
export { Devices, type PushRegistration } from './devices';
export {
  type ChatEnvironment,
  type Clock,
  type Environment,
  type FetchLike,
  type KeyValueStore,
  resolveEnvironment,
  type SignalSource,
  type TimerHandle,
  type WebSocketConstructor,
  type WebSocketLike,
} from './environment';
export {
  AuthError,
  ChatError,
  type ChatErrorCode,
  type ChatErrorDetails,
  type ChatErrorInit,
  type ClientErrorCode,
  ConflictError,
  NetworkError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  toChatError,
  ValidationError,
} from './errors';
export {
  ChatEventEmitter,
  type EventKey,
  type EventListener,
  type ListenerErrorHandler,
} from './event-emitter';
export type { RetryOptions } from './http/retry-policy';
export { HttpClient, type HttpClientOptions, type RequestInput, type RequestOptions } from './http-client';
export { Messages } from './messages';
export {
  type CachedChannel,
  type CachedChannelSummary,
  createIndexedDbStorage,
  createMemoryStorage,
  DEFAULT_MESSAGE_LIMIT,
  DEFAULT_SYNC_RETRY,
  type FlushReport,
  type IndexedDbStorageOptions,
  indexedDbName,
  type MemoryStorageOptions,
  type PerformItem,
  type PerformResult,
  type QueueItem,
  type QueueItemError,
  type QueueItemStatus,
  type QueueOperation,
  type QueueOperationType,
  type QueueStorage,
  type StorageAdapter,
  SyncQueue,
  type SyncQueueOptions,
  type SyncQueueState,
  type SyncRetryOptions,
  summarizeChannel,
  toQueueItemError,
} from './offline';
export {
  type ChannelLabel,
  channelLabel,
  channelPeople,
  channelTitle,
  type Person,
  personName,
  type TitleWords,
} from './state/channel-label';
export {
  applyChannelListEvent,
  type ChannelListEntry,
  type ChannelListState,
} from './state/channel-list';
export {
  type ApplyResult,
  addOlderMessages,
  applyChannelEvent,
  applyChannelEvents,
  emptyChannelState,
  loadChannelState,
} from './state/channel-reducer';
export type { SendMessageInput } from './state/local-message';
export type { ChannelSnapshot, LocalFile, LocalMessage, MessageStatus, TypingUser } from './state/types';
export { createStore, deriveStore, type ReadableStore, sameItems, type WritableStore } from './store';
export { TokenManager, type TokenProvider, type TokenSource } from './token-manager';
export { TYPING_EXPIRY_MS, TYPING_THROTTLE_MS } from './typing-indicator';
export type { FileInput, UploadOptions } from './uploads/file-info';
export { resolveMediaUrl } from './uploads/media-url';
export { Uploads } from './uploads/uploads';
export { type PresenceMap, Users } from './users';
export type { FrameParser } from './wire/frame-codec';
