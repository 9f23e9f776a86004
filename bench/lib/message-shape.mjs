/**
 * A message as this server sends it (the protocol's `Message`), for scenarios that need one
 * without a server: the peers' events carry the same shape, and the client-state scenario feeds
 * it to @chat/core.
 */
export function messageShape({ cid, seq, n = seq, text, userId, at, clientMsgId }) {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    cid,
    seq,
    client_msg_id: clientMsgId,
    type: 'regular',
    text,
    user_id: userId,
    user: { id: userId, name: userId, image: null, online: true },
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
    created_at: at,
    updated_at: at,
    edited_at: null,
    deleted_at: null,
  };
}
