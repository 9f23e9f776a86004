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

export interface IndexedDbStorageOptions {
  /** The application's public key; with `userId`, names the database, so accounts never mix. */
  apiKey: string;
  userId: string;
  /** The IndexedDB to use. Default: `globalThis.indexedDB`, read when the storage is created. */
  indexedDB?: IDBFactory;
  /** Messages kept per channel, the newest by `seq`. Default 200. */
  messageLimit?: number;
}

/** The schema version; each version's changes go in `upgrade`, after the previous ones. */
const DB_VERSION = 3;
const CHANNELS = 'channels';
/** Since v2: the list row of each channel record (`CachedChannelSummary`), keyed by cid. */
const CHANNEL_LIST = 'channel_list';
const MESSAGES = 'messages';
const QUEUE = 'queue';
/** Since v3: the bytes of files of queued sends (Blobs, keyed by the file's id). */
const FILES = 'files';
/** Index of `messages` on `cid`; its entries come in primary-key order, that is by seq. */
const BY_CID = 'by_cid';

/** The database of one user of one application. */
export function indexedDbName(apiKey: string, userId: string): string {
  return `chat:${encodeURIComponent(apiKey)}:${encodeURIComponent(userId)}`;
}

function upgrade(db: IDBDatabase, tx: IDBTransaction, oldVersion: number, userId: string): void {
  if (oldVersion < 1) {
    db.createObjectStore(CHANNELS, { keyPath: 'channel.cid' });
    db.createObjectStore(MESSAGES, { keyPath: ['cid', 'seq'] }).createIndex(BY_CID, 'cid');
    db.createObjectStore(QUEUE, { keyPath: 'id', autoIncrement: true });
  }
  if (oldVersion < 2) {
    const list = db.createObjectStore(CHANNEL_LIST, { keyPath: 'cid' });
    // A v1 database: its list rows are built once from the records, in the upgrade's transaction.
    if (oldVersion >= 1) {
      const records = tx.objectStore(CHANNELS).getAll();
      records.onsuccess = () => {
        for (const record of records.result as CachedChannel[]) list.put(summarizeChannel(record, userId));
      };
    }
  }
  if (oldVersion < 3) db.createObjectStore(FILES);
}

function promisify<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * A `StorageAdapter` over IndexedDB, one database per application and user. Nothing is opened
 * until the first call; a `versionchange` from another tab (a newer SDK upgrading the schema)
 * closes this connection and the next call reopens it.
 *
 * Uses only the `IDBFactory` it is given (no `IDBKeyRange` or other globals), so tests and
 * hosts can pass any implementation, such as `fake-indexeddb`'s. That is why it is not written on
 * `idb`, whose `wrap()` tests `instanceof IDBRequest` against the globals (README, "Why not idb").
 *
 * @example
 * const storage = createIndexedDbStorage({ apiKey, userId: 'alice' });
 * const rows = await storage.getChannelList(); // a cold start renders the channel list from these
 */
export function createIndexedDbStorage(options: IndexedDbStorageOptions): StorageAdapter {
  const factory = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!factory) {
    throw new Error('IndexedDB is not available here: pass `indexedDB`, or use createMemoryStorage()');
  }
  const name = indexedDbName(options.apiKey, options.userId);
  const limit = options.messageLimit ?? DEFAULT_MESSAGE_LIMIT;
  let connection: Promise<IDBDatabase> | undefined;

  function open(): Promise<IDBDatabase> {
    if (connection) return connection;
    const opening = new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory!.open(name, DB_VERSION);
      request.onupgradeneeded = (event) =>
        upgrade(request.result, request.transaction!, event.oldVersion, options.userId);
      request.onsuccess = () => {
        const db = request.result;
        const forget = () => {
          if (connection === opening) connection = undefined;
        };
        db.onversionchange = () => {
          db.close();
          forget();
        };
        db.onclose = forget;
        resolve(db);
      };
      request.onerror = () => {
        if (connection === opening) connection = undefined;
        reject(request.error);
      };
    });
    connection = opening;
    return opening;
  }

  async function read<T>(store: string, query: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const db = await open();
    return promisify(query(db.transaction(store, 'readonly').objectStore(store)));
  }

  /** Runs `body` in one read-write transaction; resolves when it commits, rejects when it aborts. */
  async function write(stores: string[], body: (tx: IDBTransaction) => void): Promise<void> {
    const db = await open();
    const tx = db.transaction(stores, 'readwrite');
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
    try {
      body(tx);
    } catch (error) {
      done.catch(() => {});
      tx.abort();
      throw error;
    }
    return done;
  }

  /** Calls `then` with the primary keys of a channel's messages, oldest first. */
  function messageKeys(store: IDBObjectStore, cid: string, then: (keys: IDBValidKey[]) => void): void {
    const request = store.index(BY_CID).getAllKeys(cid);
    request.onsuccess = () => then(request.result);
  }

  const queue: QueueStorage = {
    list: () => read(QUEUE, (store) => store.getAll() as IDBRequest<QueueItem[]>),
    async add(item) {
      let id = 0;
      await write([QUEUE], (tx) => {
        const request = tx.objectStore(QUEUE).add(item);
        request.onsuccess = () => {
          id = request.result as number;
        };
      });
      return { ...item, id };
    },
    update: (item) =>
      write([QUEUE], (tx) => {
        const store = tx.objectStore(QUEUE);
        const existing = store.count(item.id);
        existing.onsuccess = () => {
          if (existing.result > 0) store.put(item);
        };
      }),
    remove: (id) => write([QUEUE], (tx) => tx.objectStore(QUEUE).delete(id)),
  };

  return {
    getChannels: () => read(CHANNELS, (store) => store.getAll() as IDBRequest<CachedChannel[]>),
    getChannel: (cid) => read(CHANNELS, (store) => store.get(cid) as IDBRequest<CachedChannel | undefined>),
    getChannelList: () => read(CHANNEL_LIST, (store) => store.getAll() as IDBRequest<CachedChannelSummary[]>),
    // The list row is written in the record's transaction: the two never disagree.
    putChannel: (record) =>
      write([CHANNELS, CHANNEL_LIST], (tx) => {
        tx.objectStore(CHANNELS).put(record);
        tx.objectStore(CHANNEL_LIST).put(summarizeChannel(record, options.userId));
      }),
    deleteChannel: (cid) =>
      write([CHANNELS, CHANNEL_LIST, MESSAGES], (tx) => {
        tx.objectStore(CHANNELS).delete(cid);
        tx.objectStore(CHANNEL_LIST).delete(cid);
        const messages = tx.objectStore(MESSAGES);
        messageKeys(messages, cid, (keys) => {
          for (const key of keys) messages.delete(key);
        });
      }),
    getMessages: (cid) => read(MESSAGES, (store) => store.index(BY_CID).getAll(cid) as IDBRequest<Message[]>),
    putMessages: (cid, incoming, { replace = false } = {}) =>
      write([MESSAGES], (tx) => {
        const store = tx.objectStore(MESSAGES);
        // Requests run in order within a transaction, so each step sees the previous ones.
        const trim = () =>
          messageKeys(store, cid, (keys) => {
            for (const key of keys.slice(0, Math.max(0, keys.length - limit))) store.delete(key);
          });
        const insert = () => {
          for (const message of incoming) if (message.cid === cid) store.put(message);
          trim();
        };
        if (!replace) return insert();
        messageKeys(store, cid, (keys) => {
          for (const key of keys) store.delete(key);
          insert();
        });
      }),
    queue,
    files: {
      put: (id, blob) => write([FILES], (tx) => tx.objectStore(FILES).put(blob, id)),
      get: (id) => read(FILES, (store) => store.get(id) as IDBRequest<Blob | undefined>),
      delete: (id) => write([FILES], (tx) => tx.objectStore(FILES).delete(id)),
    },
    clear: () =>
      write([CHANNELS, CHANNEL_LIST, MESSAGES, QUEUE, FILES], (tx) => {
        for (const store of [CHANNELS, CHANNEL_LIST, MESSAGES, QUEUE, FILES]) tx.objectStore(store).clear();
      }),
    close() {
      const current = connection;
      connection = undefined;
      current?.then((db) => db.close()).catch(() => {});
    },
  };
}
