import type { ChatEvent } from '@chat/protocol';
import type { Db } from './actor';

/**
 * Where committed events go: the WebSocket gateway fans them out (in-process, or over Redis
 * across nodes). `channelId` is the internal channel uuid, null for events not about a channel;
 * `userIds` (internal uuids) addresses notification events to particular users.
 */
export interface PublishedEvent {
  appId: string;
  channelId: string | null;
  userIds?: string[];
  /** Also for the connected members of these channels, each once, except the user `except`. */
  membersOf?: { channelIds: string[]; except: string };
  event: ChatEvent;
}

export type Publish = (published: PublishedEvent) => void;

/** What every domain call needs. */
export interface DomainDeps {
  db: Db;
  publish: Publish;
}
