import type { Channel, ChannelState, EventOf, Member, Message } from '@chat/protocol';

export const T0 = '2025-03-14T09:26:53.589Z';
export const CID = 'messaging:trip';
const ref = (id: string) => ({ id, name: null, image: null, online: true });

export function message(seq: number, overrides: Partial<Message> = {}): Message {
  return {
    id: `m${seq}`,
    cid: CID,
    seq,
    client_msg_id: null,
    type: 'regular',
    text: `message ${seq}`,
    user_id: 'bob',
    user: ref('bob'),
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
    ...overrides,
  };
}

export function channel(seq: number): Channel {
  return {
    cid: CID,
    type: 'messaging',
    id: 'trip',
    name: 'Trip',
    image: null,
    custom: {},
    created_by: 'alice',
    member_count: 2,
    frozen: false,
    seq,
    last_message_at: T0,
    created_at: T0,
    updated_at: T0,
    deleted_at: null,
    truncated_at: null,
  };
}

export function member(userId: string): Member {
  return {
    cid: CID,
    user_id: userId,
    user: ref(userId),
    role: 'member',
    muted: false,
    banned: false,
    ban_expires_at: null,
    unread_count: 0,
    created_at: T0,
    updated_at: T0,
  };
}

export function serverState(seq: number, messages: Message[]): ChannelState {
  return {
    channel: channel(seq),
    members: [member('alice'), member('bob')],
    messages,
    read: [],
    membership: member('alice'),
    draft: null,
  };
}

export const newMessage = (m: Message, seq = m.seq): EventOf<'message.new'> => ({
  type: 'message.new',
  cid: CID,
  seq,
  created_at: T0,
  message: m,
});

export const typing = (type: 'typing.start' | 'typing.stop', seq: number, userId = 'bob') => ({
  type,
  cid: CID,
  seq,
  created_at: T0,
  user: ref(userId),
  parent_id: null,
});
