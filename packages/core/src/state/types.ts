import type { Channel, Draft, Member, Message, ReadState, UserRef } from '@chat/protocol';
import type { ChatError } from '../errors';

/** Where a message is on its way to the server: only the sender's own messages are ever not `sent`. */
export type MessageStatus = 'sending' | 'sent' | 'failed';

/** A message as the state layer keeps it: the server's message plus its delivery status. */
export interface LocalMessage extends Message {
  readonly status: MessageStatus;
  /** Why the last send failed (`status: 'failed'`). */
  readonly error?: ChatError;
  /**
   * The files of a message being sent (`sendMessage({ files })`), until the server's copy with
   * its attachments replaces it: each with a local preview and its progress.
   */
  readonly files?: readonly LocalFile[];
}

/** A file of a message being sent, as the sender sees it before the server has it. */
export interface LocalFile {
  /** Stable while it uploads (a key for lists). */
  readonly id: string;
  readonly name: string;
  /** The file's type as the browser (or the caller) says. */
  readonly type: string;
  readonly size: number;
  /** A local URL of the bytes for an image or a video (browsers), to show at once; else null. */
  readonly previewUrl: string | null;
  /** Share of the bytes sent, 0 to 1. */
  readonly progress: number;
  /** `processing`: all bytes sent, the server checks them (and cleans an image). */
  readonly state: 'uploading' | 'processing' | 'uploaded' | 'failed';
  /** Why it failed: `upload_refused` (with `details.reason`) is final, a network error is not. */
  readonly error?: ChatError;
}

/** Someone typing in the channel (or in the thread of `parentId`). */
export interface TypingUser {
  readonly user: UserRef;
  readonly parentId: string | null;
}

/**
 * One channel's state: an immutable snapshot. A change creates new objects only along its path,
 * so `Object.is` tells a view what changed (e.g. `prev.messages === next.messages`).
 */
export interface ChannelSnapshot {
  readonly cid: string;
  /** The channel itself; `null` until it is first loaded. */
  readonly channel: Channel | null;
  /** Top-level messages, oldest first, by `seq`; unsent own messages come last. */
  readonly messages: readonly LocalMessage[];
  /** Thread replies by parent message id, oldest first; loaded with `getReplies` or as they arrive. */
  readonly threads: Readonly<Record<string, readonly LocalMessage[]>>;
  /** Members by user id. */
  readonly members: Readonly<Record<string, Member>>;
  /** Read states by user id. */
  readonly read: Readonly<Record<string, ReadState>>;
  /** Who is typing now, by user id (expires locally after ~7 s without news). */
  readonly typing: Readonly<Record<string, TypingUser>>;
  /** Users watching the channel now (across every server node); updated about once a second. */
  readonly watcherCount: number;
  /** The connected user's unread messages in this channel. */
  readonly unreadCount: number;
  /** The connected user's membership, or `null` when not a member. */
  readonly membership: Member | null;
  readonly draft: Draft | null;
  /** The last channel `seq` applied; events at or below it are ignored. */
  readonly lastSeq: number;
  /** Whether older messages than the first in `messages` may exist on the server. */
  readonly hasOlder: boolean;
  /**
   * Whether newer messages than the last in `messages` exist on the server: after a jump back
   * (`jumpTo`) the list is a window of the past, and new messages do not join it until it reaches
   * the newest again (`loadNewer`, `jumpToLatest`). `false` for the usual, live list.
   */
  readonly hasNewer: boolean;
  /** Whether the state is being loaded or resumed from the server. */
  readonly loading: boolean;
  /** Why the last load (watch or resume) failed; `null` once one succeeds. */
  readonly error: ChatError | null;
}
