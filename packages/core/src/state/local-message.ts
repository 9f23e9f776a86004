import type { UserRef } from '@chat/protocol';
import type { RequestFrame } from '../connection/socket';
import type { LocalMessage } from './types';

/** The body of a `message.send` frame. */
export type SendBody = Extract<RequestFrame, { type: 'message.send' }>['message'];

/** What `Channel.sendMessage` takes. */
export interface SendMessageInput {
  text?: string;
  parentId?: string;
  quotedMessageId?: string;
  mentionedUserIds?: string[];
  custom?: SendBody['custom'];
}

/**
 * The optimistic copy of a message being sent (status `sending`; its temporary id is the
 * `client_msg_id`) and the frame body that sends it.
 */
export function createLocalMessage(
  input: SendMessageInput,
  at: { cid: string; clientMsgId: string; user: UserRef; now: string },
): { local: LocalMessage; body: SendBody } {
  const { cid, clientMsgId, user, now } = at;
  const local: LocalMessage = {
    id: clientMsgId,
    cid,
    seq: 0,
    client_msg_id: clientMsgId,
    type: 'regular',
    text: input.text ?? '',
    user_id: user.id,
    user,
    attachments: [],
    mentioned_user_ids: input.mentionedUserIds ?? [],
    parent_id: input.parentId ?? null,
    reply_count: 0,
    quoted_message_id: input.quotedMessageId ?? null,
    reaction_counts: {},
    own_reactions: [],
    pinned: false,
    pinned_at: null,
    pinned_by: null,
    custom: input.custom ?? {},
    created_at: now,
    updated_at: now,
    edited_at: null,
    deleted_at: null,
    status: 'sending',
  };
  const body: SendBody = {
    client_msg_id: clientMsgId,
    ...(input.text !== undefined && { text: input.text }),
    ...(input.parentId && { parent_id: input.parentId }),
    ...(input.quotedMessageId && { quoted_message_id: input.quotedMessageId }),
    ...(input.mentionedUserIds && { mentioned_user_ids: input.mentionedUserIds }),
    ...(input.custom && { custom: input.custom }),
  };
  return { local, body };
}
