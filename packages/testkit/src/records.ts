import type { ChannelEvent, ChannelType, CustomData, Draft, MemberRole, UserRole } from '@chat/protocol';

/** What the fixture store keeps: plain records, turned into wire entities by views.ts. */

export interface UserRecord {
  id: string;
  name: string | null;
  image: string | null;
  role: UserRole;
  custom: CustomData;
  created_at: string;
  updated_at: string;
  last_active_at: string | null;
}

export interface MemberRecord {
  user_id: string;
  role: MemberRole;
  muted: boolean;
  created_at: string;
  updated_at: string;
  /** The channel seq the member has read up to: later messages from others are unread. */
  read_seq: number;
  last_read_message_id: string | null;
  last_read_at: string | null;
}

export interface ReactionRecord {
  user_id: string;
  type: string;
  created_at: string;
}

export interface LinkedAttachment {
  type: 'image' | 'video' | 'audio' | 'file';
  url: string;
  name?: string;
  mime_type?: string;
  file_size?: number;
  width?: number;
  height?: number;
  thumb_url?: string;
}

export interface MessageRecord {
  id: string;
  cid: string;
  seq: number;
  client_msg_id: string | null;
  user_id: string;
  text: string;
  attachments: LinkedAttachment[];
  mentioned_user_ids: string[];
  parent_id: string | null;
  reply_count: number;
  quoted_message_id: string | null;
  custom: CustomData;
  reactions: ReactionRecord[];
  created_at: string;
  updated_at: string;
  edited_at: string | null;
  deleted_at: string | null;
}

export interface ChannelRecord {
  cid: string;
  type: ChannelType;
  id: string;
  name: string | null;
  image: string | null;
  custom: CustomData;
  created_by: string | null;
  frozen: boolean;
  seq: number;
  last_message_at: string | null;
  created_at: string;
  updated_at: string;
  /** Members in join order. */
  members: Map<string, MemberRecord>;
  /**
   * Every event that took a seq, in order (the replay of a resuming watch). Events that carry a
   * message are replayed with the message as it is now, as the reference server does.
   */
  log: ChannelEvent[];
  /** Drafts by user and thread (channel-ops.ts `draftKey`). */
  drafts: Map<string, Draft>;
}
