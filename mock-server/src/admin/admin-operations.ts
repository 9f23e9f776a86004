import { randomBytes } from 'node:crypto';
import { toErrorIssues, userId } from '@chat/protocol';
import { decodeJwt } from 'jose';
import { z } from 'zod';
import { createServerToken, createUserToken } from '../domain/auth/index';
import { ChatError } from '../kernel/errors';
import type { Db } from '../store/schema';

/**
 * What an operator does to a server from its command line. Each operation runs the same code
 * whether the CLI opened the database itself or asked the running server that holds it.
 */
export interface AdminOperation<Input extends z.ZodType, Result> {
  /** The route of the running server's admin path. */
  path: string;
  status: 200 | 201;
  input: Input;
  run(ctx: AdminContext, input: z.output<Input>): Promise<Result>;
}

/** What an operation runs against: the database and the server's settings that bound it. */
export interface AdminContext {
  db: Db;
  /** The longest token lifetime the server accepts: longer tokens would be refused when used. */
  maxTokenLifetimeSeconds: number;
}

const createAppInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  allow_registration: z.boolean().default(false),
  allowed_origins: z.array(z.string().min(1).max(2048)).max(100).default([]),
});

export interface CreatedApp {
  id: string;
  name: string;
  api_key: string;
  /** Shown once: only the customer's backend should keep it. */
  api_secret: string;
}

export const createAppOperation: AdminOperation<typeof createAppInput, CreatedApp> = {
  path: '/admin/v1/apps',
  status: 201,
  input: createAppInput,
  run: ({ db }, input) =>
    db
      .insertInto('applications')
      .values({
        name: input.name,
        // Hex: a key never starts with '-', which a command line (`token --api-key …`) takes for an option.
        api_key: randomBytes(12).toString('hex'),
        api_secret: randomBytes(32).toString('base64url'),
        allow_registration: input.allow_registration,
        allowed_origins: input.allowed_origins,
      })
      .returning(['id', 'name', 'api_key', 'api_secret'])
      .executeTakeFirstOrThrow(),
};

/** A duration as `jose` reads it: `90s`, `15m`, `1h`, `7 days`. */
const DURATION = /^\d+ ?(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?|y|yrs?|years?)$/i;

const mintTokenInput = z
  .strictObject({
    api_key: z.string().min(1).max(256),
    user_id: userId.optional(),
    server: z.literal(true).optional(),
    expires_in: z.string().regex(DURATION, 'A duration such as 90s, 15m, 1h or 7d').default('1h'),
  })
  .refine((input) => (input.user_id === undefined) !== (input.server === undefined), {
    message: 'Give either user_id or server: true',
  });

export const mintTokenOperation: AdminOperation<typeof mintTokenInput, { token: string }> = {
  path: '/admin/v1/tokens',
  status: 200,
  input: mintTokenInput,
  async run({ db, maxTokenLifetimeSeconds }, input) {
    const app = await db
      .selectFrom('applications')
      .select('api_secret')
      .where('api_key', '=', input.api_key)
      .executeTakeFirst();
    if (!app) throw new ChatError('not_found', 'No application has this api key');
    const options = { expiresIn: input.expires_in };
    const token =
      input.user_id === undefined
        ? await createServerToken(app.api_secret, options)
        : await createUserToken(app.api_secret, input.user_id, options);
    const { iat = 0, exp = 0 } = decodeJwt(token);
    if (exp - iat > maxTokenLifetimeSeconds) {
      const message = `At most ${maxTokenLifetimeSeconds} seconds: the server refuses longer-lived tokens (CHAT_MAX_TOKEN_LIFETIME_S)`;
      throw new ChatError('validation_failed', 'The token would live too long', {
        issues: [{ path: ['expires_in'], message }],
      });
    }
    return { token };
  },
};

/** The operation's input, or a `validation_failed` error naming each bad field. */
export function parseAdminInput<Input extends z.ZodType>(
  operation: AdminOperation<Input, unknown>,
  raw: unknown,
): z.output<Input> {
  const parsed = operation.input.safeParse(raw);
  if (!parsed.success) {
    throw new ChatError('validation_failed', 'Invalid request body', { issues: toErrorIssues(parsed.error) });
  }
  return parsed.data;
}

export const ADMIN_OPERATIONS: readonly AdminOperation<z.ZodType, unknown>[] = [
  createAppOperation,
  mintTokenOperation,
];
