import type { Path } from './schema-paths';
import type { ForeignIds, World } from './world';

/**
 * Fields that name something by id, recognised by their names: the places where an input can
 * point at another tenant's data or at a channel the caller cannot read.
 */
export type IdKind =
  | 'channel'
  | 'cid'
  | 'message'
  | 'user'
  | 'user-list'
  | 'webhook'
  | 'delivery'
  | 'device'
  | 'upload'
  | 'blocklist';

const MESSAGE_KEYS = new Set(['message_id', 'parent_id', 'quoted_message_id', 'before', 'after', 'around']);
const USER_KEYS = new Set(['user_id', 'created_by_id', 'userId']);
const USER_LIST_KEYS = new Set(['user_ids', 'members', 'mentioned_user_ids']);
const WEBHOOK_KEYS = new Set(['webhookId', 'webhook_id']);
const DELIVERY_KEYS = new Set(['deliveryId', 'delivery_id']);
const DEVICE_KEYS = new Set(['deviceId']);
const UPLOAD_KEYS = new Set(['uploadId', 'upload_id']);
const BLOCKLIST_KEYS = new Set(['blocklistId']);

/**
 * The kind of id at `path` of an input, if it is one. `channelIdAt` is where a bare channel id
 * (not a cid) sits: the `id` of a channel path, or of a channel created by id. `deliveryIdAt` is
 * where a field named like a message cursor holds a delivery id (a delivery log's `before`).
 */
export function idKindAt(
  path: Path,
  value: unknown,
  options: { channelIdAt?: Path; messageIdAt?: Path; deliveryIdAt?: Path } = {},
): IdKind | undefined {
  if (typeof value !== 'string') return undefined;
  const same = (a?: Path) => a !== undefined && JSON.stringify(a) === JSON.stringify(path);
  if (same(options.channelIdAt)) return 'channel';
  if (same(options.messageIdAt)) return 'message';
  if (same(options.deliveryIdAt)) return 'delivery';
  const key = path.at(-1);
  const parent = path.at(-2);
  if (key === 'cid') return 'cid';
  if (typeof key === 'string' && WEBHOOK_KEYS.has(key)) return 'webhook';
  if (typeof key === 'string' && DELIVERY_KEYS.has(key)) return 'delivery';
  if (typeof key === 'string' && DEVICE_KEYS.has(key)) return 'device';
  if (typeof key === 'string' && UPLOAD_KEYS.has(key)) return 'upload';
  if (typeof key === 'string' && BLOCKLIST_KEYS.has(key)) return 'blocklist';
  if (typeof key === 'string' && MESSAGE_KEYS.has(key)) return 'message';
  if (typeof key === 'string' && USER_KEYS.has(key)) return 'user';
  if (typeof key === 'number' && typeof parent === 'string' && USER_LIST_KEYS.has(parent)) return 'user';
  // upsertUsers' users[i].id is not here: it names the user to create, not one to find.
  if (key === 'ids') return 'user-list';
  return undefined;
}

export type Owner = 'other app' | 'private channel';

/** Kinds nothing of one app hides from its own callers: only another app's are foreign. */
const APP_WIDE: ReadonlySet<IdKind> = new Set(['user', 'user-list', 'webhook', 'delivery', 'blocklist']);

/**
 * Owners that have something of this kind: users are not private, and webhook endpoints, their
 * deliveries and blocklists belong to the app as a whole; only another app's are foreign. (A
 * device is its user's: the "private channel" owner's device is another user's of the same app.)
 */
export function ownersOf(kind: IdKind): Owner[] {
  return APP_WIDE.has(kind) ? ['other app'] : ['other app', 'private channel'];
}

/** The id of that kind that `owner` has, or that never existed (`fresh`). */
export function idOf(w: World, kind: IdKind, owner: Owner | ForeignIds): string {
  const ids: Pick<ForeignIds, 'channel' | 'message'> & Partial<ForeignIds> =
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
    case 'device':
      if (!ids.device) throw new Error('no device of that owner');
      return ids.device;
    case 'upload':
      if (!ids.upload) throw new Error('no upload of that owner');
      return ids.upload;
    case 'webhook':
    case 'delivery':
    case 'blocklist':
      if (!ids[kind]) throw new Error(`a ${kind} belongs to the whole app: it is not private`);
      return ids[kind];
  }
}
