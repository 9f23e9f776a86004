import type { Message } from '@chat/protocol';
import { expect } from 'vitest';
import { type Api, clientId, type Reply, type TestApp } from './api';

/** `t.users(...)` typed as a tuple, so each client destructures without a non-null assertion. */
export async function usersOf<const T extends readonly string[]>(
  t: TestApp,
  ...ids: T
): Promise<{ -readonly [K in keyof T]: Api }> {
  return (await t.users(...ids)) as { -readonly [K in keyof T]: Api };
}

/** Asserts an error reply in the protocol's one error shape. */
export function expectError(reply: Reply, status: number, code?: string): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.body.error.status).toBe(status);
  if (code) expect(reply.body.error.code).toBe(code);
}

/** Asserts a 400 whose issues name `path` (the failing field). */
export function expectInvalid(reply: Reply, path: (string | number)[]): void {
  expectError(reply, 400, 'validation_failed');
  const paths = (reply.body.error.details?.issues ?? []).map((i: { path: unknown[] }) => i.path);
  expect(paths, JSON.stringify(reply.body.error)).toContainEqual(path);
}

/**
 * Asserts a 400 refusing an unknown field `key` of the object at `at`: the issue names the key
 * either as its path or, for schema-level "unrecognized key" issues, in its message at `at`.
 */
export function expectUnknownKey(reply: Reply, key: string, at: (string | number)[] = []): void {
  expectError(reply, 400, 'validation_failed');
  const issues: { path: unknown[]; message: string }[] = reply.body.error.details?.issues ?? [];
  const same = (a: unknown[], b: unknown[]) => JSON.stringify(a) === JSON.stringify(b);
  const named = issues.some(
    (i) => same(i.path, [...at, key]) || (same(i.path, at) && i.message.includes(`"${key}"`)),
  );
  expect(named, JSON.stringify(reply.body.error)).toBe(true);
}

/** `/v1/channels/{type}/{id}` of a cid. */
export function channelPath(cid: string): string {
  const at = cid.indexOf(':');
  return `/v1/channels/${cid.slice(0, at)}/${cid.slice(at + 1)}`;
}

/** Creates a channel with an id and members; returns its cid. */
export async function createChannel(
  api: Api,
  id: string,
  members: string[] = [],
  extra: Record<string, unknown> = {},
): Promise<string> {
  const reply = await api.post('/v1/channels', { type: 'messaging', id, members, ...extra });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body.channel.cid;
}

/** Sends a message and returns it (fails the test unless it is stored). */
export async function send(
  api: Api,
  cid: string,
  text: string,
  extra: Record<string, unknown> = {},
): Promise<Message> {
  const reply = await api.post(`${channelPath(cid)}/messages`, { client_msg_id: clientId(), text, ...extra });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body.message;
}

/** Ids of a list of entities, in order. */
export const ids = (items: { id: string }[]): string[] => items.map((item) => item.id);

/**
 * Asks `server` for an upload slot and sends `bytes` to its (disk) target; answers the upload's
 * id (not completed yet).
 */
export async function putInSlot(
  user: Api,
  server: string,
  bytes: Buffer,
  declared: { name: string; type: string },
): Promise<string> {
  const slot = await user.post('/v1/uploads', { size: bytes.length, ...declared });
  expect(slot.status, JSON.stringify(slot.body)).toBe(201);
  const put = await fetch(new URL(slot.body.target.url, server), {
    method: 'PUT',
    headers: slot.body.target.headers,
    body: new Uint8Array(bytes),
  });
  expect(put.status).toBe(200);
  return slot.body.upload.id as string;
}

/** Uploads `bytes` through a slot and completes it; answers the completion's reply. */
export async function uploadWith(
  user: Api,
  server: string,
  bytes: Buffer,
  declared: { name: string; type: string },
): Promise<Reply> {
  return user.post(`/v1/uploads/${await putInSlot(user, server, bytes, declared)}/complete`);
}
