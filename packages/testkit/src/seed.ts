import {
  type ChannelType,
  type CustomData,
  createChannelBody,
  type MemberRole,
  sendMessageBody,
  type UserRole,
  userInput,
  validateInput,
} from '@chat/protocol';
import * as channels from './channel-ops';
import type { KitContext } from './kit-context';
import { KitError } from './kit-error';
import * as messages from './message-ops';

/** A user of the fixtures: an id, or an id with what the server would store. */
export type SeedUser =
  | string
  | { id: string; name?: string; image?: string | null; role?: UserRole; custom?: CustomData };

/** A message of a seeded channel; `at` (ISO time) sets when it was sent (default: now). */
export interface SeedMessage {
  user: string;
  text: string;
  at?: string;
  /** Reactions on it, e.g. `[{ user: 'bob', type: '👍' }]`. */
  reactions?: readonly { user: string; type: string }[];
  /** Replies in its thread. */
  replies?: readonly SeedMessage[];
}

/**
 * A channel of the fixtures. `members` join in order (the first one creates it and is its admin,
 * unless `createdBy` says otherwise; a `role` gives another). Members have read nothing of the
 * seeded messages: everything from others counts as unread until a test marks it read
 * (`kit.as(user).markRead(cid)`).
 */
export interface SeedChannel {
  type: ChannelType;
  id: string;
  name?: string;
  image?: string;
  custom?: CustomData;
  createdBy?: string;
  members: readonly (string | { id: string; role?: MemberRole })[];
  messages?: readonly SeedMessage[];
  frozen?: boolean;
}

export interface TestkitSeed {
  users?: readonly SeedUser[];
  channels?: readonly SeedChannel[];
}

/** Bad fixtures fail at once, with where they are and what is wrong. */
function seedError(where: string, error: unknown): Error {
  const detail =
    error instanceof KitError
      ? (error.body.details?.issues?.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') ??
        error.body.message)
      : String(error);
  return new TypeError(`@chat/testkit: invalid seed at ${where}: ${detail}`);
}

function valid<T>(schema: Parameters<typeof validateInput<T>>[0], value: unknown, where: string): T {
  const result = validateInput(schema, value, where);
  if (!result.ok) throw seedError(where, KitError.from(result.error));
  return result.value;
}

export function addSeedUser(ctx: KitContext, seed: SeedUser, where = 'users'): void {
  const input = valid(userInput, typeof seed === 'string' ? { id: seed } : seed, where);
  const at = ctx.now();
  ctx.store.users.set(input.id, {
    id: input.id,
    name: input.name ?? null,
    image: input.image ?? null,
    role: input.role ?? 'user',
    custom: input.custom ?? {},
    created_at: at,
    updated_at: at,
    last_active_at: null,
  });
}

const idOf = (member: SeedChannel['members'][number]) => (typeof member === 'string' ? member : member.id);

/**
 * Seeds a channel through the kit's own operations (so seqs, the event log and unread counts are
 * what the same calls over the API would have made). Users it names that are not seeded yet are
 * added with just their id.
 */
export function addSeedChannel(ctx: KitContext, seed: SeedChannel, where = 'channel'): void {
  const creator = seed.createdBy ?? (seed.members[0] ? idOf(seed.members[0]) : undefined);
  if (!creator) throw seedError(`${where}.members`, 'a channel needs at least one member');
  const everyone = [creator, ...seed.members.map(idOf), ...(seed.messages ?? []).flatMap(usersOf)];
  everyone.forEach((id, i) => {
    if (!ctx.store.users.has(id)) addSeedUser(ctx, id, `${where} user ${i}`);
  });
  const body = valid(
    createChannelBody,
    {
      type: seed.type,
      id: seed.id,
      ...(seed.name !== undefined && { name: seed.name }),
      ...(seed.image !== undefined && { image: seed.image }),
      ...(seed.custom !== undefined && { custom: seed.custom }),
      members: seed.members.map(idOf),
    },
    where,
  );
  const run = <T>(at: string, op: () => T): T => {
    try {
      return op();
    } catch (error) {
      throw seedError(at, error);
    }
  };
  const { state, created } = run(where, () => channels.createChannel(ctx, creator, body));
  if (!created) throw seedError(where, `channel ${state.channel.cid} is seeded twice`);
  const channel = ctx.store.channels.get(state.channel.cid)!;
  for (const member of seed.members)
    if (typeof member !== 'string' && member.role) channel.members.get(member.id)!.role = member.role;
  const sendAll = (list: readonly SeedMessage[], path: string, parentId?: string) =>
    list.forEach((m, i) => {
      const at = `${path}[${i}]`;
      const input = valid(
        sendMessageBody,
        {
          client_msg_id: `seed-${channel.cid}-${at}`.replace(/[^A-Za-z0-9_\-.@!]/g, '.'),
          text: m.text,
          ...(parentId && { parent_id: parentId }),
        },
        at,
      );
      const { message } = run(at, () =>
        withTime(ctx, m.at, () => messages.sendMessage(ctx, m.user, channel.cid, input)),
      );
      for (const r of m.reactions ?? [])
        run(`${at}.reactions`, () =>
          withTime(ctx, m.at, () => messages.setReaction(ctx, r.user, message.id, r.type, true)),
        );
      if (m.replies) sendAll(m.replies, `${at}.replies`, message.id);
    });
  sendAll(seed.messages ?? [], `${where}.messages`);
  channel.frozen = seed.frozen ?? false;
}

function usersOf(m: SeedMessage): string[] {
  return [m.user, ...(m.reactions ?? []).map((r) => r.user), ...(m.replies ?? []).flatMap(usersOf)];
}

/** Runs `op` with the kit's clock at `at` (an ISO time), or as it is. */
function withTime<T>(ctx: KitContext, at: string | undefined, op: () => T): T {
  if (at === undefined) return op();
  if (Number.isNaN(Date.parse(at))) throw KitError.invalid(['at'], `Not a time: ${at}`);
  const now = ctx.now;
  ctx.now = () => new Date(at).toISOString();
  try {
    return op();
  } finally {
    ctx.now = now;
  }
}

/**
 * A small seed to start from: alice and bob, a `messaging:general` channel with two messages
 * (bob's, then alice's) and a `team:design` channel with no messages.
 *
 * @example
 * const kit = createChatTestkit({ seed: SAMPLE_SEED });
 */
export const SAMPLE_SEED = {
  users: [
    { id: 'alice', name: 'Alice' },
    { id: 'bob', name: 'Bob' },
  ],
  channels: [
    {
      type: 'messaging',
      id: 'general',
      name: 'General',
      members: ['alice', 'bob'],
      messages: [
        { user: 'bob', text: 'welcome, alice' },
        { user: 'alice', text: 'thanks!' },
      ],
    },
    { type: 'team', id: 'design', name: 'Design', members: ['bob', 'alice'] },
  ],
} as const satisfies TestkitSeed;
