import { ERROR_CODES, type ErrorCode, makeError } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  ChatError,
  ConflictError,
  errorBodyForStatus,
  NetworkError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  toChatError,
  ValidationError,
} from './errors';

const classForStatus = (status: number) =>
  ({
    400: ValidationError,
    401: AuthError,
    403: PermissionError,
    404: NotFoundError,
    409: ConflictError,
    410: NotFoundError,
  })[status] ??
  (status === 408
    ? NetworkError
    : status === 413 || status === 422
      ? ValidationError
      : status === 429
        ? RateLimitError
        : ServerError);

describe('toChatError', () => {
  it.each(Object.keys(ERROR_CODES) as ErrorCode[])('maps %s to the class of its HTTP family', (code) => {
    const body = makeError(code, `sample ${code}`);
    const error = toChatError(body);
    expect(error).toBeInstanceOf(classForStatus(body.status));
    expect(error).toBeInstanceOf(ChatError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      code,
      status: body.status,
      retryable: body.retryable,
      message: `sample ${code}`,
    });
  });

  it('carries the issues of a validation failure and the cause', () => {
    const cause = new Error('underlying');
    const error = toChatError(
      makeError('validation_failed', 'Invalid request', {
        issues: [{ path: ['text'], message: 'Too long' }],
      }),
      cause,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.details?.issues).toEqual([{ path: ['text'], message: 'Too long' }]);
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('ValidationError');
  });

  it('exposes how long to wait on a rate limit', () => {
    const error = toChatError(makeError('rate_limited', 'Slow down', { retry_after_ms: 1500 }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(1500);
  });

  it('classifies a code from a newer server by its status', () => {
    const body = { code: 'quota_exceeded', message: 'Quota', status: 403, retryable: false } as never;
    expect(toChatError(body)).toBeInstanceOf(PermissionError);
  });
});

describe('errorBodyForStatus', () => {
  it('gives a proxy 502 the retryable `unavailable` code', () => {
    const error = toChatError(errorBodyForStatus(502, 'Bad gateway'));
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ code: 'unavailable', status: 502, retryable: true });
  });

  it('gives an unknown 4xx the validation family', () => {
    expect(toChatError(errorBodyForStatus(422, 'Unprocessable'))).toBeInstanceOf(ValidationError);
  });
});

describe('NetworkError', () => {
  it('is retryable unless told otherwise', () => {
    expect(new NetworkError({ message: 'offline' })).toMatchObject({
      code: 'network_error',
      retryable: true,
    });
    expect(new NetworkError({ code: 'aborted', retryable: false, message: 'aborted' }).retryable).toBe(false);
  });
});
