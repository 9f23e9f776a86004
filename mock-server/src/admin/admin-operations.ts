import { randomBytes } from 'node:crypto';
import { customerEmail, customerPassword, toErrorIssues, userId } from '@chat/protocol';
import { decodeJwt } from 'jose';
import { z } from 'zod';
import { createServerToken, createUserToken, hashPassword } from '../domain/auth/index';
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
  /** The team that owns it in the portal (see `create-customer`); none: out of the portal's reach. */
  team_id: z.uuid().optional(),
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
  async run({ db }, input) {
    if (input.team_id !== undefined) {
      const team = await db
        .selectFrom('teams')
        .select('id')
        .where('id', '=', input.team_id)
        .executeTakeFirst();
      if (!team) throw new ChatError('not_found', 'No team has this id (see create-customer)');
    }
    return db
      .insertInto('applications')
      .values({
        name: input.name,
        team_id: input.team_id ?? null,
        // Hex: a key never starts with '-', which a command line (`token --api-key …`) takes for an option.
        api_key: randomBytes(12).toString('hex'),
        api_secret: randomBytes(32).toString('base64url'),
        allow_registration: input.allow_registration,
        allowed_origins: input.allowed_origins,
      })
      .returning(['id', 'name', 'api_key', 'api_secret'])
      .executeTakeFirstOrThrow();
  },
};

const createCustomerInput = z.strictObject({
  email: customerEmail,
  password: customerPassword,
  display_name: z.string().trim().min(1).max(200).optional(),
  /** The team made for the customer, who owns it; "<email>'s team" unless named. */
  team: z.string().trim().min(1).max(200).optional(),
});

export interface CreatedCustomer {
  customer_id: string;
  email: string;
  team_id: string;
  team: string;
}

/**
 * A portal account and a team it owns: how a self-hosted install gets its first customer (who
 * then invites the others and creates applications in the portal, or `create-app --team`).
 */
export const createCustomerOperation: AdminOperation<typeof createCustomerInput, CreatedCustomer> = {
  path: '/admin/v1/customers',
  status: 201,
  input: createCustomerInput,
  async run({ db }, input) {
    const passwordHash = await hashPassword(input.password);
    const teamName = input.team ?? `${input.email}'s team`;
    return db.transaction().execute(async (trx) => {
      const customer = await trx
        .insertInto('customer_users')
        .values({ email: input.email, password_hash: passwordHash, display_name: input.display_name ?? null })
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!customer) throw new ChatError('conflict', 'A customer with this email exists');
      const team = await trx
        .insertInto('teams')
        .values({ name: teamName })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('customer_user_teams')
        .values({ customer_user_id: customer.id, team_id: team.id, role: 'owner' })
        .execute();
      return { customer_id: customer.id, email: input.email, team_id: team.id, team: teamName };
    });
  },
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
  createCustomerOperation,
  mintTokenOperation,
];
