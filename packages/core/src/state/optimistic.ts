import type { QueueOperation } from '../offline/storage-adapter';
import type { LocalMessage } from './types';

type MessageWrite = Extract<
  QueueOperation,
  { type: 'message.update' | 'message.delete' | 'reaction.add' | 'reaction.remove' }
>;

/**
 * How a message looks once a write to it is performed, shown before the server answers (or
 * while offline). The server's copy replaces it on the ack; a permanent failure restores the
 * message as it was.
 */
export function applyOptimisticWrite(message: LocalMessage, op: MessageWrite, now: string): LocalMessage {
  switch (op.type) {
    case 'message.update':
      return {
        ...message,
        ...(op.message.text !== undefined && { text: op.message.text }),
        ...(op.message.mentioned_user_ids && { mentioned_user_ids: op.message.mentioned_user_ids }),
        edited_at: now,
        updated_at: now,
      };
    case 'message.delete':
      return {
        ...message,
        type: 'deleted',
        text: '',
        attachments: [],
        mentioned_user_ids: [],
        reaction_counts: {},
        own_reactions: [],
        deleted_at: now,
        updated_at: now,
      };
    case 'reaction.add':
    case 'reaction.remove': {
      const type = op.reaction_type;
      const had = message.own_reactions.includes(type);
      const adding = op.type === 'reaction.add';
      if (had === adding) return message;
      const count = (message.reaction_counts[type] ?? 0) + (adding ? 1 : -1);
      const { [type]: _old, ...others } = message.reaction_counts;
      return {
        ...message,
        own_reactions: adding
          ? [...message.own_reactions, type]
          : message.own_reactions.filter((t) => t !== type),
        reaction_counts: count > 0 ? { ...others, [type]: count } : others,
      };
    }
  }
}

export type { MessageWrite };
