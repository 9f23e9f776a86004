import type { LocalMessage } from '@chat/core';
import { describe, expect, it } from 'vitest';
import { firstUnreadId } from './unread-divider';

const msg = (seq: number, user_id = 'bob', status: LocalMessage['status'] = 'sent') =>
  ({ id: `m${seq}`, seq, user_id, status }) as LocalMessage;

describe('the first unread message (where the "new messages" line goes)', () => {
  const list = [msg(1), msg(2, 'alice'), msg(3), msg(4), msg(5, 'alice'), msg(6)];

  it('follows the last read message when it is loaded, skipping the own messages after it', () => {
    expect(firstUnreadId(list, { count: 3, lastReadId: 'm1' }, 'alice')).toBe('m3');
    expect(firstUnreadId(list, { count: 1, lastReadId: 'm5' }, 'alice')).toBe('m6');
  });

  it('counts the others’ messages back from the end when the last read one is not loaded', () => {
    expect(firstUnreadId(list, { count: 2, lastReadId: 'm0' }, 'alice')).toBe('m4');
    expect(firstUnreadId(list, { count: 3, lastReadId: null }, 'alice')).toBe('m3');
  });

  it('is none when nothing was unread, or the first unread is further back than the list', () => {
    expect(firstUnreadId(list, { count: 0, lastReadId: 'm1' }, 'alice')).toBeNull();
    expect(firstUnreadId(list, { count: 10, lastReadId: null }, 'alice')).toBeNull();
  });

  it('ignores unsent messages', () => {
    const withPending = [...list, msg(7, 'alice', 'sending')];
    expect(firstUnreadId(withPending, { count: 1, lastReadId: null }, 'alice')).toBe('m6');
  });
});
