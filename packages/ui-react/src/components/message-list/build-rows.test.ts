import type { LocalMessage } from '@chat/core';
import { describe, expect, it } from 'vitest';
import { buildRows } from './build-rows';

let n = 0;
function message(user: string, at: string, extra: Partial<LocalMessage> = {}): LocalMessage {
  n += 1;
  return {
    id: `id-${n}`,
    client_msg_id: `c-${n}`,
    user_id: user,
    created_at: at,
    type: 'regular',
    deleted_at: null,
    ...extra,
  } as LocalMessage;
}

describe('buildRows', () => {
  it('groups consecutive messages of one author within five minutes, and starts days', () => {
    const rows = buildRows([
      message('ann', '2025-03-01T10:00:00'),
      message('ann', '2025-03-01T10:04:00'),
      message('ann', '2025-03-01T10:10:00'),
      message('bo', '2025-03-01T10:11:00'),
      message('bo', '2025-03-02T10:11:30'),
      message('bo', '2025-03-02T10:12:00', { deleted_at: '2025-03-02T10:13:00' }),
    ]);
    expect(rows.map((r) => [r.startsDay, r.grouped])).toEqual([
      [true, false],
      [false, true],
      [false, false],
      [false, false],
      [true, false],
      [false, false],
    ]);
  });

  it('keys rows by client_msg_id (stable across the server ack), falling back to the id when not unique', () => {
    const a = message('ann', '2025-03-01T10:00:00', { client_msg_id: 'same' });
    const b = message('bo', '2025-03-01T10:00:01', { client_msg_id: 'same' });
    const c = message('bo', '2025-03-01T10:00:02', { client_msg_id: null });
    expect(buildRows([a, b, c]).map((r) => r.key)).toEqual(['same', b.id, c.id]);
  });
});
