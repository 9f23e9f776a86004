export {
  createIndexedDbStorage,
  type IndexedDbStorageOptions,
  indexedDbName,
} from './indexeddb-storage';
export { createMemoryStorage, type MemoryStorageOptions } from './memory-storage';
export {
  type CachedChannel,
  type CachedChannelSummary,
  DEFAULT_MESSAGE_LIMIT,
  type QueueItem,
  type QueueItemError,
  type QueueItemStatus,
  type QueueOperation,
  type QueueOperationType,
  type QueueStorage,
  type StorageAdapter,
  summarizeChannel,
} from './storage-adapter';
export {
  type FlushReport,
  type PerformItem,
  type PerformResult,
  SyncQueue,
  type SyncQueueOptions,
  type SyncQueueState,
  toQueueItemError,
} from './sync-queue';
export { DEFAULT_SYNC_RETRY, type SyncRetryOptions } from './sync-retry';
