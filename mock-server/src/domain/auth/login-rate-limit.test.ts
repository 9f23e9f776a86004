import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './login-rate-limit';

function fakeClock(start = 1_000_000) {
  let time = start;
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
    set: (ms: number) => {
      time = ms;
    },
  };
}

describe('createRateLimiter', () => {
  it('allows `limit` attempts, then refuses with the time until the next one', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ limit: 3, windowMs: 60_000, now: clock.now });
    expect(limiter.take('k')).toEqual({ ok: true });
    expect(limiter.take('k')).toEqual({ ok: true });
    expect(limiter.take('k')).toEqual({ ok: true });
    expect(limiter.take('k')).toEqual({ ok: false, retryAfterMs: 20_000 });
    clock.advance(5_000);
    expect(limiter.take('k')).toEqual({ ok: false, retryAfterMs: 15_000 });
  });

  it('gives an attempt back once retryAfterMs has passed, and no sooner', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ limit: 3, windowMs: 60_000, now: clock.now });
    for (let i = 0; i < 3; i++) limiter.take('k');
    const refused = limiter.take('k');
    if (refused.ok) throw new Error('expected a refusal');
    clock.advance(refused.retryAfterMs - 1);
    expect(limiter.take('k').ok).toBe(false);
    clock.advance(1);
    expect(limiter.take('k')).toEqual({ ok: true });
    expect(limiter.take('k').ok).toBe(false);
  });

  it('refills fully after a window, but never above the limit', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ limit: 2, windowMs: 1_000, now: clock.now });
    limiter.take('k');
    limiter.take('k');
    clock.advance(10_000);
    expect(limiter.take('k').ok).toBe(true);
    expect(limiter.take('k').ok).toBe(true);
    expect(limiter.take('k').ok).toBe(false);
  });

  it('keeps keys apart', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ limit: 1, windowMs: 60_000, now: clock.now });
    expect(limiter.take('app1:alice').ok).toBe(true);
    expect(limiter.take('app1:alice').ok).toBe(false);
    expect(limiter.take('app1:bob').ok).toBe(true);
    expect(limiter.take('app2:alice').ok).toBe(true);
  });

  it('reset forgets a key', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ limit: 1, windowMs: 60_000, now: clock.now });
    limiter.take('k');
    expect(limiter.take('k').ok).toBe(false);
    limiter.reset('k');
    expect(limiter.take('k').ok).toBe(true);
  });

  it('does not mint attempts when the clock steps backwards and returns', () => {
    const clock = fakeClock(10_000_000);
    const limiter = createRateLimiter({ limit: 1, windowMs: 60_000, now: clock.now });
    limiter.take('k');
    clock.set(10_000_000 - 3_600_000);
    expect(limiter.take('k').ok).toBe(false);
    clock.set(10_000_000);
    expect(limiter.take('k').ok).toBe(false);
  });

  it('forgets keys idle for a whole window', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ limit: 5, windowMs: 1_000, now: clock.now });
    for (let i = 0; i < 100; i++) limiter.take(`user${i}`);
    expect(limiter.size).toBe(100);
    clock.advance(1_000);
    limiter.take('fresh');
    expect(limiter.size).toBe(1);
  });

  it('bounds memory under a flood of distinct keys', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ limit: 1, windowMs: 60_000, maxKeys: 50, now: clock.now });
    for (let i = 0; i < 10_000; i++) limiter.take(`spoofed${i}`);
    expect(limiter.size).toBe(50);
  });

  it('evicts the least recently used key first', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ limit: 1, windowMs: 60_000, maxKeys: 2, now: clock.now });
    limiter.take('a');
    limiter.take('b');
    limiter.take('a'); // refused, but a is now the most recently used
    limiter.take('c'); // evicts b
    expect(limiter.take('a').ok).toBe(false);
    expect(limiter.take('b').ok).toBe(true);
  });

  it('rejects nonsensical options', () => {
    expect(() => createRateLimiter({ limit: 0, windowMs: 1000 })).toThrow(TypeError);
    expect(() => createRateLimiter({ limit: 1.5, windowMs: 1000 })).toThrow(TypeError);
    expect(() => createRateLimiter({ limit: 1, windowMs: 0 })).toThrow(TypeError);
    expect(() => createRateLimiter({ limit: 1, windowMs: 1000, maxKeys: 0 })).toThrow(TypeError);
  });
});

describe('refund', () => {
  it('gives one attempt back, never more than the limit', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ limit: 2, windowMs: 60_000, now: clock.now });
    limiter.take('k');
    limiter.take('k');
    expect(limiter.take('k').ok).toBe(false);
    limiter.refund('k');
    expect(limiter.take('k')).toEqual({ ok: true });
    expect(limiter.take('k').ok).toBe(false);
    limiter.refund('k');
    limiter.refund('k');
    limiter.refund('k');
    limiter.refund('unknown');
    expect(limiter.take('k')).toEqual({ ok: true });
    expect(limiter.take('k')).toEqual({ ok: true });
    expect(limiter.take('k').ok).toBe(false);
    expect(limiter.size).toBe(1);
  });
});
