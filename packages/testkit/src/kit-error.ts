import { type ErrorBody, type ErrorCode, makeError } from '@chat/protocol';

/**
 * An answer in the protocol's error shape (`{ error: { code, message, status, retryable } }`):
 * what the reference server would refuse, refused the same way. Thrown by the kit's operations;
 * the REST handlers answer it as a response, the socket as an `error` frame.
 */
export class KitError extends Error {
  readonly body: ErrorBody;

  constructor(code: ErrorCode, message: string, details?: ErrorBody['details']) {
    super(message);
    this.name = 'KitError';
    this.body = makeError(code, message, details);
  }

  /** An error body the protocol's helpers made (a failed `validateInput`). */
  static from(body: ErrorBody): KitError {
    const error = new KitError(body.code, body.message, body.details);
    Object.assign(error.body, body);
    return error;
  }

  /** A refusal of one field of the request, with the field's path (as the server words it). */
  static invalid(path: (string | number)[], message: string): KitError {
    return new KitError('validation_failed', message, { issues: [{ path, message }] });
  }

  /**
   * A part of the API the kit does not implement. The protocol has no 501 code: the answer is
   * `unavailable` with status 501 and `retryable: false`, so no SDK retries it, and
   * `details.testkit` says why.
   */
  static notSupported(what: string): KitError {
    const error = new KitError('unavailable', `${what} is not supported by @chat/testkit`, {
      testkit: 'not_supported',
    });
    error.body.status = 501;
    error.body.retryable = false;
    return error;
  }
}

export const notFound = (what: string) => new KitError('not_found', `${what} not found`);
export const forbidden = (message: string) => new KitError('forbidden', message);
