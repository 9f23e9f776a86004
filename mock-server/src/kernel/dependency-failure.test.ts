import { describe, expect, it } from 'vitest';
import { failureBody, isDependencyFailure } from './dependency-failure';

describe('dependency failures', () => {
  it.each([
    ['PostgreSQL shutting down', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    ['PostgreSQL refusing connections', Object.assign(new Error('too many clients'), { code: '53300' })],
    ['a statement timeout', Object.assign(new Error('canceling statement'), { code: '57014' })],
    ['a refused TCP connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a saturated pool', new Error('timeout exceeded when trying to connect')],
    ['a connection lost mid-query', new Error('Connection terminated unexpectedly')],
    ['Redis away (fail fast)', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['every address refused', new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })])],
  ])('%s is unavailable, retried after a second', (_name, error) => {
    expect(isDependencyFailure(error)).toBe(true);
    expect(failureBody(error)).toMatchObject({
      code: 'unavailable',
      status: 503,
      retryable: true,
      details: { retry_after_ms: 1000 },
    });
  });

  it.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    [
      'a constraint the code should have checked',
      Object.assign(new Error('duplicate key'), { code: '23505' }),
    ],
    ['a thrown string', 'oops'],
    ['null', null],
  ])('%s is internal', (_name, error) => {
    expect(isDependencyFailure(error)).toBe(false);
    expect(failureBody(error).code).toBe('internal');
  });
});
