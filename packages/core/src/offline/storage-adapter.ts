import type { Channel, Member, Message, ReadState, SendMessageBody, UpdateMessageBody } from '@chat/protocol';
import { channelPeople, type Person } from '../state/channel-label';

/** How many messages per channel a storage keeps unless told otherwise: the newest ones by `seq`. */
export const DEFAULT_MESSAGE_LIMIT = 200;

/** Everything cached about one channel except its messages, written and read as one record. */
export interface CachedChannel {
  channel: Channel;
  members: Member[];
  read: ReadState[];
  /** The seq of the last channel event applied to this record; a resync asks for what came after. */
  seq: number;
  /**
   * The channel's newest sent top-level message when the record was written, so a cold start
   * shows the channel list (with previews) from the records alone, before reading any messages.
   * Absent in records written by older versions.
   */
  last_message?: Message | null;
  /** The unread count shown for the channel when the record was written. Absent in older records. */
  unread_count?: number;
}

/**
 * What a channel-list row needs of a cached channel, without its member list and read states.
 * A storage keeps one beside each record, written and deleted with it (`putChannel`,
 * `deleteChannel`), so a cold start shows the list from one small read (`getChannelList`).
 */
export interface CachedChannelSummary {
  cid: string;
  channel: Channel;
  /** As in the record: the seq of the last event applied. */
  seq: number;
  last_message: Message | null;
  unread_count: number;
  /** The user's own member record (role, mute, unread), or null when not a member. */
  membership: Member | null;
  /** The first other members, to name a channel without a name by. Absent in older rows. */
  people?: Person[];
}

/**
 * The list row of a record. `userId` finds the user's own member record; without it (or when the
 * user is not among the members) `membership` is null. `unread_count` is the record's, else the
 * one the server gave in the membership or the user's read state, as a load from the server would.
 */
export function summarizeChannel(record: CachedChannel, userId?: string): CachedChannelSummary {
  const membership = (userId !== undefined && record.members.find((m) => m.user_id === userId)) || null;
  const ownRead = userId === undefined ? undefined : record.read.find((r) => r.user_id === userId);
  return {
    cid: record.channel.cid,
    channel: record.channel,
    seq: record.seq,
    last_message: record.last_message ?? null,
    unread_count: record.unread_count ?? membership?.unread_count ?? ownRead?.unread_count ?? 0,
    membership,
    people: channelPeople(record.members, userId),
  };
}

/**
 * A write the user made, as the queue stores it: one operation of the protocol with the ids the
 * client generated, so that a retry is safe (a send keeps its `client_msg_id`, which the server
 * deduplicates). Every operation names its channel, so the UI can show per channel what waits.
 */
export type QueueOperation =
  | { type: 'message.send'; cid: string; message: SendMessageBody; files?: QueuedFile[] }
  | { type: 'message.update'; cid: string; message_id: string; message: UpdateMessageBody }
  | { type: 'message.delete'; cid: string; message_id: string }
  | { type: 'reaction.add'; cid: string; message_id: string; reaction_type: string }
  | { type: 'reaction.remove'; cid: string; message_id: string; reaction_type: string }
  | { type: 'read.mark'; cid: string; message_id?: string };

export type QueueOperationType = QueueOperation['type'];

/**
 * A file of a queued send, uploaded before the message goes (its bytes wait in the storage's
 * `files` under `id`, so a reload does not lose them). `upload_id` is set once it is uploaded:
 * after a reload only what is missing goes up again.
 */
export interface QueuedFile {
  id: string;
  name: string;
  type: string;
  size: number;
  upload_id?: string;
  /** A large file's resumable upload, once started: after a reload only its missing parts go. */
  resumable_id?: string;
}

/** Bytes of files waiting to be uploaded, by the id of their `QueuedFile`. */
export interface FileStorage {
  put(id: string, blob: Blob): Promise<void>;
  get(id: string): Promise<Blob | undefined>;
  delete(id: string): Promise<void>;
}

/** Why an item failed, in a form every storage can keep (no class instances). */
export interface QueueItemError {
  code: string;
  message: string;
  /** HTTP status; 0 when the failure did not come from an HTTP answer. */
  status: number;
}

/**
 * `pending`: waits for the next flush (with `retry_at`: for its retry time, after a retryable
 * failure). `sending`: being performed now (never stored: after a reload it is `pending` again).
 * `failed`: rejected for good, or still failing after the retry horizon; kept until retried or
 * discarded.
 */
export type QueueItemStatus = 'pending' | 'sending' | 'failed';

export interface QueueItem {
  /** Assigned by the storage when added; increases with every add and orders the queue. */
  id: number;
  op: QueueOperation;
  status: QueueItemStatus;
  /** How many times performing it failed with a retryable error (or failed for good); the backoff grows with it. */
  attempts: number;
  /** When it was queued, in ms since the epoch. */
  created_at: number;
  /** The last failure, if any. */
  error?: QueueItemError;
  /**
   * When a `pending` item that failed with a retryable error is tried again, in ms since the
   * epoch: it waits until then, and so do the later writes of its channel. Absent when it has
   * not failed, or once a reconnect or a "retry now" made it due at once.
   */
  retry_at?: number;
}

/** The durable part of the sync queue. Items come back in `id` order. */
export interface QueueStorage {
  list(): Promise<QueueItem[]>;
  /** Stores a new item and returns it with its `id`, greater than every id given before. */
  add(item: Omit<QueueItem, 'id'>): Promise<QueueItem>;
  /** Replaces the item with the same `id`; does nothing when there is none. */
  update(item: QueueItem): Promise<void>;
  remove(id: number): Promise<void>;
}

/**
 * Where the SDK keeps its offline cache and its queue of unsent writes, one instance per
 * application and user (two accounts must never share one). Browsers use
 * `createIndexedDbStorage`, tests, SSR and bots `createMemoryStorage`; a React Native app can
 * implement this over AsyncStorage or MMKV. Every method is async and may reject; the SDK treats
 * the cache as a best effort and the queue as the source of truth for unsent writes.
 *
 * Values are plain JSON-compatible data (but `files`' Blobs); implementations may copy or serialize them.
 */
export interface StorageAdapter {
  /** Every cached channel, in no particular order. */
  getChannels(): Promise<CachedChannel[]>;
  /**
   * The list row of every cached channel (`summarizeChannel` of its record), in no particular
   * order: what a cold start reads first, before the records (whose member lists can be large).
   * Optional for adapters written before it existed; the SDK then reads the records instead.
   */
  getChannelList?(): Promise<CachedChannelSummary[]>;
  getChannel(cid: string): Promise<CachedChannel | undefined>;
  /** Inserts or replaces the record of `record.channel.cid` (and its list row). */
  putChannel(record: CachedChannel): Promise<void>;
  /** Forgets a channel, its list row and its messages. */
  deleteChannel(cid: string): Promise<void>;

  /** A channel's cached messages, oldest first (ascending `seq`). */
  getMessages(cid: string): Promise<Message[]>;
  /**
   * Inserts or replaces messages of channel `cid` (others are ignored), identified by their `seq`
   * (the channel seq they were created at, which an edit or delete keeps), then keeps only the
   * newest `messageLimit` of the channel.
   * With `replace`, the channel's cached messages are first dropped (a fresh page, a truncation).
   */
  putMessages(cid: string, messages: readonly Message[], options?: { replace?: boolean }): Promise<void>;

  /** The sync queue's items. */
  readonly queue: QueueStorage;
  /**
   * The bytes of files picked for messages not sent yet (values are Blobs, not JSON). Optional:
   * without it a message's files are uploaded at once, and a failed one waits for Retry.
   */
  readonly files?: FileStorage;

  /** Forgets everything, queue included (logout). */
  clear(): Promise<void>;
  /** Releases the underlying resources (a database connection). Optional. */
  close?(): void;
}
