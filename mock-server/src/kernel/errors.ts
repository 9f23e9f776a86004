import { type ErrorBody, type ErrorCode, makeError } from '@chat/protocol';

/**
 * A failure the client should hear about, with one of the protocol's error codes. Thrown anywhere
 * below the routes; the HTTP layer and the WebSocket gateway both turn it into the one error shape.
 */
export class ChatError extends Error {
  readonly body: ErrorBody;

  constructor(code: ErrorCode, message: string, details?: ErrorBody['details']) {
    super(message);
    this.name = 'ChatError';
    this.body = makeError(code, message, details);
  }

  get status(): number {
    return this.body.status;
  }
}

/** 404 for anything missing *or* belonging to another application: never confirm it exists. */
export const notFound = (what: string) => new ChatError('not_found', `${what} not found`);
export const forbidden = (message: string) => new ChatError('forbidden', message);
