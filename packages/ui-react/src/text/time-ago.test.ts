import { describe, expect, it } from 'vitest';
import { timeAgo } from './format';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

describe('timeAgo (a "last seen" line)', () => {
  it('says minutes, hours and days in words, then the date', () => {
    expect(timeAgo(ago(20), 'en', NOW)).toBe('this minute');
    expect(timeAgo(ago(5 * 60), 'en', NOW)).toBe('5 minutes ago');
    expect(timeAgo(ago(3 * 3600 + 10), 'en', NOW)).toBe('3 hours ago');
    expect(timeAgo(ago(86_400 + 5), 'en', NOW)).toBe('yesterday');
    expect(timeAgo(ago(3 * 86_400), 'en', NOW)).toBe('3 days ago');
    expect(timeAgo(ago(30 * 86_400), 'en', NOW)).toMatch(/November/);
  });

  it('follows the locale, and treats a time in the future (clock skew) as now', () => {
    expect(timeAgo(ago(5 * 60), 'de', NOW)).toBe('vor 5 Minuten');
    expect(timeAgo(ago(-30), 'en', NOW)).toBe('this minute');
  });
});
