import { describe, expect, it } from 'vitest';
import { timestamp } from './primitives';
import { endpoints } from './rest/endpoints';

/**
 * Times that reach the database as parameters (filters, cursors) must be times it can take: a
 * year 0 or a year 10000 passes ISO 8601 and JavaScript, then fails the whole statement in
 * PostgreSQL.
 */
describe('timestamp', () => {
  it.each([
    '0001-01-02T00:00:00Z',
    '2024-02-29T23:59:59.999Z',
    '2024-01-01T00:00:00+14:00',
    '2024-01-01T00:00:00-15:59',
    '9999-12-30T23:59:59.999Z',
  ])('accepts %s', (value) => {
    expect(timestamp.safeParse(value).success).toBe(true);
  });

  it.each([
    ['year 0', '0000-01-01T00:00:00Z'],
    ['year 1 with an offset that puts it in year 0', '0001-01-01T00:00:00+01:00'],
    ['a time PostgreSQL would place in year 0 in a zone west of UTC', '0001-01-01T06:00:00Z'],
    ['year 9999 with an offset that puts it in year 10000', '9999-12-31T23:59:59.999-23:59'],
    ['a time PostgreSQL would place in year 10000 in a zone east of UTC', '9999-12-31T18:00:00Z'],
    ['a UTC offset PostgreSQL cannot take', '2024-01-01T00:00:00+23:59'],
    ['another', '2024-01-01T00:00:00-16:00'],
    ['February 30', '2024-02-30T00:00:00Z'],
    ['no time of day', '2024-01-01'],
  ])('refuses %s', (_name, value) => {
    expect(timestamp.safeParse(value).success).toBe(false);
  });

  it('applies to the channel list filter', () => {
    const result = endpoints.queryChannels.body.safeParse({
      filter: { last_message_at: { gt: '0000-01-01T00:00:00Z' } },
    });
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([['filter', 'last_message_at', 'gt']]);
  });
});
