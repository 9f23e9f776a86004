import type { Path } from './schema-paths';
import type { ForeignIds, World } from './world';

/**
 * Fields that name something by id, recognised by their names: the places where an input can
 * point at another tenant's data or at a channel the caller cannot read.
 */
export type IdKind = 'channel' | 'cid' | 'message' | 'user' | 'user-list';

const MESSAGE_KEYS = new Set(['message_id', 'parent_id', 'quoted_message_id', 'before', 'after']);
const USER_KEYS = new Set(['user_id', 'created_by_id', 'userId']);
const USER_LIST_KEYS = new Set(['user_ids', 'members', 'mentioned_user_ids']);

/**
 * The kind of id at `path` of an input, if it is one. `channelIdAt` is where a bare channel id
 * (not a cid) sits: the `id` of a channel path, or of a channel created by id.
 */
export function idKindAt(
  path: Path,
  value: unknown,
  options: { channelIdAt?: Path; messageIdAt?: Path } = {},
): IdKind | undefined {
  if (typeof value !== 'string') return undefined;
  const same = (a?: Path) => a !== undefined && JSON.stringify(a) === JSON.stringify(path);
  if (same(options.channelIdAt)) return 'channel';
  if (same(options.messageIdAt)) return 'message';
  const key = path.at(-1);
  const parent = path.at(-2);
  if (key === 'cid') return 'cid';
  if (typeof key === 'string' && MESSAGE_KEYS.has(key)) return 'message';
  if (typeof key === 'string' && USER_KEYS.has(key)) return 'user';
  if (typeof key === 'number' && typeof parent === 'string' && USER_LIST_KEYS.has(parent)) return 'user';
  // upsertUsers' users[i].id is not here: it names the user to create, not one to find.
  if (key === 'ids') return 'user-list';
  return undefined;
}

export type Owner = 'other app' | 'private channel';

/** Owners that have something of this kind: users are not private, only another app's are foreign. */
export function ownersOf(kind: IdKind): Owner[] {
  return kind === 'user' || kind === 'user-list' ? ['other app'] : ['other app', 'private channel'];
}

/** The id of that kind that `owner` has, or that never existed (`fresh`). */
export function idOf(w: World, kind: IdKind, owner: Owner | ForeignIds): string {
  const ids: Pick<ForeignIds, 'channel' | 'message'> & { user?: string } =
    typeof owner === 'object' ? owner : owner === 'other app' ? w.foreign.otherApp : w.foreign.private;
  switch (kind) {
    case 'channel':
      return ids.channel.id;
    case 'cid':
      return ids.channel.cid;
    case 'message':
      return ids.message;
    case 'user':
    case 'user-list':
      if (!ids.user) throw new Error('users are not private');
      return ids.user;
  }
}
