import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * The server's logger: JSON lines (pino) that never carry what users wrote or what proves who
 * they are. Message text, custom data, search queries, tokens and passwords reach the server
 * only in request bodies, query strings, frames and database parameters; so bodies and frames
 * are never logged, query strings are cut from logged URLs, and errors are logged through an
 * allow-list of fields (a database error's `params`, `detail` and `where` repeat the values of
 * the statement that failed).
 */
export interface LoggerOptions {
  level?: string;
  /** Where lines go (default stdout); tests pass a stream to read what was logged. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      serializers: { err: serializeError, error: serializeError, req: serializeRequest },
      // Belt and braces for objects logged by hand: these keys never reach a line.
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          '*.password',
          '*.token',
          '*.refresh_token',
          '*.access_token',
          '*.api_secret',
          '*.text',
          '*.custom',
          '*.params',
        ],
        censor: '[redacted]',
      },
    },
    options.destination,
  );
}

/** Error fields safe to log: what went wrong and where, never the values involved. */
const ERROR_FIELDS = [
  'code',
  'errno',
  'syscall',
  'statusCode',
  'severity',
  'routine',
  'constraint',
  'table',
  'column',
  'schema',
] as const;

interface SerializedError {
  type: string;
  message: string;
  stack?: string;
  cause?: SerializedError;
  [field: string]: unknown;
}

/**
 * An error as logged: its class, message, stack and the allow-listed fields, with its `cause`
 * chain. Anything else an error carries (a failed query's parameters, a response body) is
 * dropped.
 */
export function serializeError(error: unknown, depth = 0): SerializedError | unknown {
  if (!(error instanceof Error)) return error;
  const message = messageOf(error);
  const out: SerializedError = { type: error.constructor?.name ?? 'Error', message };
  // A stack starts with the message: swap in the one that may be logged.
  if (error.stack) out.stack = error.stack.replace(error.message, message);
  const record = error as unknown as Record<string, unknown>;
  for (const field of ERROR_FIELDS) {
    const value = record[field];
    if (typeof value === 'string' || typeof value === 'number') out[field] = value;
  }
  if (error.cause instanceof Error && depth < 3) {
    out.cause = serializeError(error.cause, depth + 1) as SerializedError;
  }
  return out;
}

/**
 * PostgreSQL's data exceptions (SQLSTATE class 22: bad input syntax, an invalid byte sequence,
 * a value out of range) quote the offending value in their message; only their code is logged.
 */
function messageOf(error: Error): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code)) {
    return `database data exception ${code} (message withheld: it quotes the value)`;
  }
  return error.message;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** A request as logged: method and path. The query string can hold a search or a user filter. */
export function serializeRequest(request: LoggedRequest): Record<string, unknown> {
  const url = request.url ?? '';
  const query = url.indexOf('?');
  return {
    method: request.method,
    url: query === -1 ? url : `${url.slice(0, query)}?[redacted]`,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
