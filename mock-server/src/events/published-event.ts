import type { ChannelTypeOverrides, ChatEvent } from '@chat/protocol';

/**
 * An event a committed write caused, on its way to the bus (live delivery on every node).
 * `channelId` is the internal channel uuid, null for events not about a channel; `userIds`
 * (internal uuids) addresses notification events to particular users.
 */
export interface PublishedEvent {
  appId: string;
  channelId: string | null;
  userIds?: string[];
  /** Also for the connected members of these channels, each once, except the user `except`. */
  membersOf?: { channelIds: string[]; except: string };
  /**
   * Only this user (internal uuid) may see the channel event (a shadow-banned author's message):
   * every other socket gets an `event.hidden` with the same seq instead.
   */
  visibleTo?: string;
  /**
   * For the nodes, not the sockets: the sockets of `userIds` take this standing and are sent
   * nothing (a shadow ban, which the user must not learn of; its typing stops being relayed).
   */
  standing?: { shadowBanned: boolean };
  /**
   * For the nodes: the application was disabled or deleted; every socket of it is told
   * `app_disabled` and closed (the event itself goes to no one).
   */
  appClosed?: true;
  /** For the nodes: the application's permission-table overrides changed to these. */
  appPermissions?: ChannelTypeOverrides;
  event: ChatEvent;
}

export type Publish = (published: PublishedEvent) => void;
