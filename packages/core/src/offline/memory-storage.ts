import type { Message } from '@chat/protocol';
import {
  type CachedChannel,
  type CachedChannelSummary,
  DEFAULT_MESSAGE_LIMIT,
  type QueueItem,
  type QueueStorage,
  type StorageAdapter,
  summarizeChannel,
} from './storage-adapter';

export interface MemoryStorageOptions {
  /** Messages kept per channel, the newest by `seq`. Default 200. */
  messageLimit?: number;
  /** The user whose cache this is: the list rows (`getChannelList`) then carry their membership. */
  userId?: string;
}

/**
 * A `StorageAdapter` in memory: for tests, SSR and Node bots, or as the fallback where IndexedDB
 * is missing. Nothing survives the process. Records are shallow-copied in and out, so a caller
 * replacing an array it passed or got does not change what is stored.
 *
 * @example
 * const storage = createMemoryStorage({ messageLimit: 50 });
 */
export function createMemoryStorage(options: MemoryStorageOptions = {}): StorageAdapter {
  const limit = options.messageLimit ?? DEFAULT_MESSAGE_LIMIT;
  const channels = new Map<string, CachedChannel>();
  /** cid → list row, kept with `channels`. */
  const summaries = new Map<string, CachedChannelSummary>();
  /** cid → seq → message. */
  const messages = new Map<string, Map<number, Message>>();
  const items = new Map<number, QueueItem>();
  const blobs = new Map<string, Blob>();
  let nextId = 1;

  const copyChannel = (record: CachedChannel): CachedChannel => ({
    ...record,
    members: [...record.members],
    read: [...record.read],
  });

  const queue: QueueStorage = {
    async list() {
      return [...items.values()].sort((a, b) => a.id - b.id).map((item) => ({ ...item }));
    },
    async add(item) {
      const stored: QueueItem = { ...item, id: nextId++ };
      items.set(stored.id, stored);
      return { ...stored };
    },
    async update(item) {
      if (items.has(item.id)) items.set(item.id, { ...item });
    },
    async remove(id) {
      items.delete(id);
    },
  };

  return {
    async getChannels() {
      return [...channels.values()].map(copyChannel);
    },
    async getChannelList() {
      return [...summaries.values()].map((summary) => ({ ...summary }));
    },
    async getChannel(cid) {
      const record = channels.get(cid);
      return record && copyChannel(record);
    },
    async putChannel(record) {
      channels.set(record.channel.cid, copyChannel(record));
      summaries.set(record.channel.cid, summarizeChannel(record, options.userId));
    },
    async deleteChannel(cid) {
      channels.delete(cid);
      summaries.delete(cid);
      messages.delete(cid);
    },
    async getMessages(cid) {
      return [...(messages.get(cid)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
    },
    async putMessages(cid, incoming, { replace = false } = {}) {
      let bySeq = messages.get(cid);
      if (!bySeq || replace) {
        bySeq = new Map();
        messages.set(cid, bySeq);
      }
      for (const message of incoming) if (message.cid === cid) bySeq.set(message.seq, message);
      if (bySeq.size > limit) {
        const oldest = [...bySeq.keys()].sort((a, b) => a - b).slice(0, bySeq.size - limit);
        for (const seq of oldest) bySeq.delete(seq);
      }
    },
    queue,
    files: {
      put: async (id, blob) => void blobs.set(id, blob),
      get: async (id) => blobs.get(id),
      delete: async (id) => void blobs.delete(id),
    },
    async clear() {
      channels.clear();
      summaries.clear();
      messages.clear();
      items.clear();
      blobs.clear();
    },
  };
}
