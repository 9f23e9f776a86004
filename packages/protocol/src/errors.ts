import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from './error-codes';

export { ERROR_CODES, type ErrorCode };

export const errorCode = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

export const errorIssue = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
});
export type ErrorIssue = z.infer<typeof errorIssue>;

export const errorBody = z.object({
  code: errorCode,
  message: z.string(),
  status: z.number().int(),
  retryable: z.boolean(),
  details: z
    .object({
      issues: z.array(errorIssue).optional(),
      retry_after_ms: z.number().int().min(0).optional(),
    })
    .catchall(z.unknown())
    .optional(),
});
export type ErrorBody = z.infer<typeof errorBody>;

/** The one error shape, on REST responses and inside WebSocket `error` frames. */
export const errorResponse = z.object({ error: errorBody });
export type ErrorResponse = z.infer<typeof errorResponse>;

/** Builds an error body with the status and retryability the code table gives. */
export function makeError(code: ErrorCode, message: string, details?: ErrorBody['details']): ErrorBody {
  const { status, retryable } = ERROR_CODES[code];
  return details ? { code, message, status, retryable, details } : { code, message, status, retryable };
}

/** Turns schema issues into the wire's `{ path, message }` list. */
export function toErrorIssues(error: z.ZodError): ErrorIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: issue.message,
  }));
}
