import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

const options = { baseMs: 500, maxMs: 30_000 };

describe('backoffDelay', () => {
  it('doubles the ceiling each attempt (fixed random = half the ceiling)', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffDelay(attempt, options, () => 0.5));
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 15_000]);
  });

  it('never exceeds the cap, even after very many attempts', () => {
    for (const attempt of [7, 8, 20, 1000, 1e9]) {
      expect(backoffDelay(attempt, options, () => 0.999_999)).toBeLessThan(30_000);
      expect(backoffDelay(attempt, options, () => 0.5)).toBe(15_000);
    }
  });

  it('spreads over the whole range: from 0 up to just under the ceiling', () => {
    expect(backoffDelay(3, options, () => 0)).toBe(0);
    expect(backoffDelay(3, options, () => 0.999_999)).toBe(1999);
  });

  it('treats attempt 0 like the first', () => {
    expect(backoffDelay(0, options, () => 0.5)).toBe(250);
  });
});
