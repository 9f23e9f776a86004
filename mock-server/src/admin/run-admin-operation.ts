import { hostname } from 'node:os';
import type { ErrorBody } from '@chat/protocol';
import type { z } from 'zod';
import { ChatError } from '../kernel/errors';
import { DATA_DIR_IN_USE_ADVICE, DataDirInUseError } from '../store/data-dir-lock';
import { openStore, type Store, type StoreOptions } from '../store/database';
import { readAdminFile } from './admin-file';
import { type AdminContext, type AdminOperation, parseAdminInput } from './admin-operations';

const ADMIN_REQUEST_TIMEOUT_MS = 15_000;

/**
 * Runs an operator's command against the database: directly when this process can open it, or,
 * when a running server holds its PGlite data directory, through that server's admin path, so
 * the result exists for the server and nothing is written behind its back. Anything else holding
 * the directory is a refusal that names it.
 */
export async function runAdminOperation<Input extends z.ZodType, Result>(
  storeOptions: StoreOptions,
  operation: AdminOperation<Input, Result>,
  raw: z.input<Input>,
  settings: Omit<AdminContext, 'db'>,
): Promise<Result> {
  const input = parseAdminInput(operation, raw);
  let store: Store;
  try {
    store = await openStore(storeOptions);
  } catch (error) {
    if (error instanceof DataDirInUseError) return askHolder(error, operation, input);
    throw error;
  }
  try {
    return await operation.run({ db: store.db, ...settings }, input);
  } finally {
    await store.close();
  }
}

async function askHolder<Result>(
  inUse: DataDirInUseError,
  operation: AdminOperation<z.ZodType, Result>,
  input: unknown,
): Promise<Result> {
  const refuse = (why: string, cause?: unknown) =>
    new Error(`${inUse.situation}, and ${why}. ${DATA_DIR_IN_USE_ADVICE}`, { cause });
  let admin: Awaited<ReturnType<typeof readAdminFile>>;
  try {
    admin = await readAdminFile(inUse.dataDir);
  } catch (error) {
    throw refuse(`its admin file cannot be read (${(error as Error).message})`, error);
  }
  // A file left by a server that was killed names a process that no longer holds the lock.
  if (!admin || !inUse.owner || admin.pid !== inUse.owner.pid) {
    throw refuse('it has no admin path to ask instead (only a running chat-server has one)');
  }
  // Its URL is its own loopback address; here the token would go to whatever listens there.
  if (inUse.owner.hostname !== hostname()) {
    throw refuse('it runs on another host, so this command cannot use its admin path');
  }
  let response: Response;
  try {
    response = await fetch(admin.url + operation.path, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
      signal: AbortSignal.timeout(ADMIN_REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw refuse(`its admin path ${admin.url} did not answer (${(error as Error).message})`, error);
  }
  const body = (await response.json().catch(() => null)) as { error?: ErrorBody } | null;
  if (response.ok && body) return body as Result;
  const error = body?.error;
  if (error) throw new ChatError(error.code, error.message, error.details);
  throw refuse(`its admin path ${admin.url} answered ${response.status}`);
}

/** A command-line rendering of an error, with the fields a validation error names. */
export function describeAdminError(error: unknown): string {
  if (!(error instanceof ChatError)) return error instanceof Error ? error.message : String(error);
  const issues = error.body.details?.issues ?? [];
  const fields = issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
  return fields.length ? `${error.message} (${fields.join('; ')})` : error.message;
}
