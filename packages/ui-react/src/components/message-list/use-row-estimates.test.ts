import type { LocalMessage } from '@chat/core';
import { describe, expect, it } from 'vitest';
import { buildRows } from './build-rows';
import { rowShape } from './use-row-estimates';

let n = 0;
function message(user: string, text: string, extra: Partial<LocalMessage> = {}): LocalMessage {
  n += 1;
  return {
    id: `id-${n}`,
    client_msg_id: `c-${n}`,
    user_id: user,
    created_at: `2025-03-01T10:00:${String(n % 60).padStart(2, '0')}`,
    type: 'regular',
    deleted_at: null,
    text,
    status: 'sent',
    quoted_message: null,
    attachments: [],
    reaction_counts: {},
    reply_count: 0,
    edited_at: null,
    ...extra,
  } as unknown as LocalMessage;
}

const shapes = (messages: LocalMessage[]) => buildRows(messages).map(rowShape);

describe('rowShape', () => {
  it('gives one-line messages of one layout one shape, whatever their words', () => {
    const [, a, b] = shapes([message('ann', 'hi'), message('ann', 'ok!'), message('ann', 'see you at 5')]);
    expect(a).toBe(b);
  });

  it('tells apart what changes a row’s height', () => {
    const [first, grouped, long, multiline, quoted, reacted, withFile, edited, threaded, deleted] = shapes([
      message('ann', 'hi'),
      message('ann', 'hi'),
      message('ann', 'a long message that wraps onto a second line on a phone, or even a third'),
      message('ann', 'two\nlines'),
      message('ann', 'hi', { quoted_message: { text: 'quoted' } as LocalMessage['quoted_message'] }),
      message('ann', 'hi', { reaction_counts: { '👍': 1 } }),
      message('ann', 'hi', { attachments: [{ type: 'image' }] as LocalMessage['attachments'] }),
      message('ann', 'hi', { edited_at: '2025-03-01T10:01:00' }),
      message('ann', 'hi', { reply_count: 2 }),
      message('ann', '', { deleted_at: '2025-03-01T10:02:00' }),
    ]);
    const all = [first, grouped, long, multiline, quoted, reacted, withFile, edited, threaded, deleted];
    expect(new Set(all).size).toBe(all.length);
  });

  it('is kept per row object: a rebuilt row is worked out again', () => {
    const messages = [message('ann', 'hi')];
    const [row] = buildRows(messages);
    expect(rowShape(row!)).toBe(rowShape(row!));
    const [edited] = buildRows([{ ...messages[0]!, edited_at: '2025-03-01T10:05:00' }]);
    expect(rowShape(edited!)).not.toBe(rowShape(row!));
  });
});
