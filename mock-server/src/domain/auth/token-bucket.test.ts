import { describe, expect, it } from 'vitest';
import { fullBucket, spendToken } from './token-bucket';

describe('spendToken', () => {
  it('spends `limit` tokens at once, then refuses with the time until the next one', () => {
    const bucket = fullBucket(3, 1_000);
    for (let i = 0; i < 3; i++) expect(spendToken(bucket, 3, 60_000, 1_000)).toEqual({ ok: true });
    expect(spendToken(bucket, 3, 60_000, 1_000)).toEqual({ ok: false, retryAfterMs: 20_000 });
    expect(spendToken(bucket, 3, 60_000, 21_000)).toEqual({ ok: true });
    expect(spendToken(bucket, 3, 60_000, 21_000).ok).toBe(false);
  });

  it('refills up to the limit, never beyond', () => {
    const bucket = fullBucket(2, 0);
    spendToken(bucket, 2, 1_000, 0);
    spendToken(bucket, 2, 1_000, 0);
    expect(spendToken(bucket, 2, 1_000, 1_000_000)).toEqual({ ok: true });
    expect(spendToken(bucket, 2, 1_000, 1_000_000)).toEqual({ ok: true });
    expect(spendToken(bucket, 2, 1_000, 1_000_000).ok).toBe(false);
  });

  it('mints nothing when the clock steps backwards and catches up again', () => {
    const bucket = fullBucket(1, 10_000);
    spendToken(bucket, 1, 1_000, 10_000);
    expect(spendToken(bucket, 1, 1_000, 5_000).ok).toBe(false);
    expect(spendToken(bucket, 1, 1_000, 10_500).ok).toBe(false);
    expect(spendToken(bucket, 1, 1_000, 11_000)).toEqual({ ok: true });
  });
});
