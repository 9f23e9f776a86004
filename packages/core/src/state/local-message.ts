import type { AttachmentInput, UserRef } from '@chat/protocol';
import type { RequestFrame } from '../connection/socket';
import type { FileInput } from '../uploads/file-info';
import type { LocalFile, LocalMessage } from './types';

/** The body of a `message.send` frame. */
export type SendBody = Extract<RequestFrame, { type: 'message.send' }>['message'];

/** What `Channel.sendMessage` takes. */
export interface SendMessageInput {
  text?: string;
  parentId?: string;
  quotedMessageId?: string;
  mentionedUserIds?: string[];
  custom?: SendBody['custom'];
  /**
   * Files to upload and attach (`File`/`Blob` in browsers, bytes with a name elsewhere): the
   * message shows at once with local previews and progress, and is sent once they are uploaded.
   */
  files?: readonly FileInput[];
  /** Attachments that need no upload: uploads made already (`{ upload_id }`), or links to files elsewhere. */
  attachments?: readonly AttachmentInput[];
}

/**
 * The optimistic copy of a message being sent (status `sending`; its temporary id is the
 * `client_msg_id`) and the frame body that sends it.
 */
export function createLocalMessage(
  input: SendMessageInput,
  at: { cid: string; clientMsgId: string; user: UserRef; now: string; files?: readonly LocalFile[] },
): { local: LocalMessage; body: SendBody } {
  const { cid, clientMsgId, user, now, files } = at;
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
    ...(files?.length && { files }),
  };
  const body: SendBody = {
    client_msg_id: clientMsgId,
    ...(input.text !== undefined && { text: input.text }),
    ...(input.parentId && { parent_id: input.parentId }),
    ...(input.quotedMessageId && { quoted_message_id: input.quotedMessageId }),
    ...(input.mentionedUserIds && { mentioned_user_ids: input.mentionedUserIds }),
    ...(input.custom && { custom: input.custom }),
    ...(input.attachments?.length && { attachments: [...input.attachments] }),
  };
  return { local, body };
}
