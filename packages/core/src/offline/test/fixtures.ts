import type { Channel, Member, Message, ReadState, UserRef } from '@chat/protocol';
import type { CachedChannel } from '../storage-adapter';

export const T0 = '2025-03-14T09:26:53.589Z';
export const alice: UserRef = { id: 'alice', name: 'Alice', image: null, online: true };

export function channel(cid = 'messaging:general', seq = 1): Channel {
  const [type = 'messaging', id = 'general'] = cid.split(':');
  return {
    cid,
    type: type as Channel['type'],
    id,
    name: id,
    image: null,
    custom: {},
    created_by: alice.id,
    member_count: 1,
    frozen: false,
    seq,
    last_message_at: null,
    created_at: T0,
    updated_at: T0,
    deleted_at: null,
    truncated_at: null,
  };
}

export function member(cid = 'messaging:general'): Member {
  return {
    cid,
    user_id: alice.id,
    user: alice,
    role: 'member',
    muted: false,
    banned: false,
    ban_expires_at: null,
    unread_count: 0,
    created_at: T0,
    updated_at: T0,
  };
}

export const read: ReadState = {
  user_id: alice.id,
  last_read_message_id: null,
  last_read_at: null,
  unread_count: 2,
};

export function cached(cid = 'messaging:general', seq = 1): CachedChannel {
  return { channel: channel(cid, seq), members: [member(cid)], read: [read], seq };
}

export function message(cid: string, seq: number, text = `message ${seq}`): Message {
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    cid,
    seq,
    client_msg_id: `c-${seq}`,
    type: 'regular',
    text,
    user_id: alice.id,
    user: alice,
    attachments: [],
    mentioned_user_ids: [],
    parent_id: null,
    reply_count: 0,
    quoted_message_id: null,
    reaction_counts: {},
    own_reactions: [],
    pinned: false,
    pinned_at: null,
    pinned_by: null,
    custom: {},
    created_at: T0,
    updated_at: T0,
    edited_at: null,
    deleted_at: null,
  };
}

export function messages(cid: string, from: number, to: number): Message[] {
  const list: Message[] = [];
  for (let seq = from; seq <= to; seq++) list.push(message(cid, seq));
  return list;
}
