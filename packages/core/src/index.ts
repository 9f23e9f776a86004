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
export {
  type ChatEnvironment,
  type Clock,
  type Environment,
  type FetchLike,
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
export { createStore, type ReadableStore, type WritableStore } from './store';
export { TokenManager, type TokenProvider, type TokenSource } from './token-manager';
export type { FrameParser } from './wire/frame-codec';
