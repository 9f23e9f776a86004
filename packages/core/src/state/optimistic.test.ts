import { describe, expect, it } from 'vitest';
import { CID, message } from '../../test/channel-fixtures';
import { applyOptimisticWrite } from './optimistic';
import type { LocalMessage } from './types';

const NOW = '2030-01-01T00:00:00.000Z';
const base: LocalMessage = {
  ...message(1, { reaction_counts: { '👍': 2 }, own_reactions: [] }),
  status: 'sent',
};
const op = { cid: CID, message_id: 'm1' };

describe('applyOptimisticWrite', () => {
  it('an edit changes text and marks the message edited', () => {
    const next = applyOptimisticWrite(base, { ...op, type: 'message.update', message: { text: 'new' } }, NOW);
    expect(next).toMatchObject({ text: 'new', edited_at: NOW, updated_at: NOW, status: 'sent' });
    expect(base.text).toBe('message 1');
  });

  it('a delete empties the message the way the server shows it', () => {
    const next = applyOptimisticWrite(base, { ...op, type: 'message.delete' }, NOW);
    expect(next).toMatchObject({
      type: 'deleted',
      text: '',
      deleted_at: NOW,
      reaction_counts: {},
      own_reactions: [],
    });
  });

  it('a reaction counts once; removing it takes the count down and drops a zero', () => {
    const add = { ...op, type: 'reaction.add', reaction_type: '👍' } as const;
    const added = applyOptimisticWrite(base, add, NOW);
    expect(added.reaction_counts).toEqual({ '👍': 3 });
    expect(added.own_reactions).toEqual(['👍']);
    expect(applyOptimisticWrite(added, add, NOW)).toBe(added);
    const removed = applyOptimisticWrite(
      { ...added, reaction_counts: { '👍': 1 } },
      { ...op, type: 'reaction.remove', reaction_type: '👍' },
      NOW,
    );
    expect(removed.reaction_counts).toEqual({});
    expect(removed.own_reactions).toEqual([]);
  });
});
