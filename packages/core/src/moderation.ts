import type {
  AppBanBody,
  BlockedUser,
  Channel as ChannelData,
  ListModerationAuditQuery,
  ListReviewItemsQuery,
  ModerationAuditResponse,
  OwnReport,
  PinnedMessagesResponse,
  ReportBody,
  ReviewActionBody,
  ReviewItemResponse,
  ReviewItemsResponse,
  TimeoutBody,
  UserStanding,
} from '@chat/protocol';
import { MODERATION_ROUTES, type ModerationRouteName } from '@chat/protocol/constants';
import type { ChatClient } from './client';
import { ChatError } from './errors';
import type { RequestArgs } from './http-client';
import { createStore, type ReadableStore } from './store';

export type {
  BlockedUser,
  ModerationAuditResponse,
  OwnReport,
  PinnedMessagesResponse,
  ReportBody,
  ReviewActionBody,
  ReviewItemResponse,
  ReviewItemsResponse,
  UserStanding,
};

/** The connected user's blocked users, as a settings screen or a message list reads them. */
export interface BlockedUsersState {
  /** Most recent first; `null` until the first load answers. */
  readonly blocks: readonly BlockedUser[] | null;
  /** The blocked users' ids, for hiding what is already on screen. */
  readonly ids: ReadonlySet<string>;
  readonly loading: boolean;
  /** Why the last load, block or unblock failed; `null` after one succeeds. */
  readonly error: ChatError | null;
}

/** A channel by its type and id (a `Channel`, or the `channel` of a state). */
export interface ChannelKey {
  readonly type: string;
  readonly id: string;
}

/**
 * Safety and moderation for one client: what every user does (report, block, read the pins) and
 * what moderators do (slow mode, the review queue and its actions, app bans, the audit log). The
 * server decides who may do what; a call the user may not make rejects with a `ChatError`
 * (`forbidden`), and changes nothing.
 */
export interface Moderation {
  /** Reports a message the user can read to the app's moderators (once per message). */
  flagMessage(messageId: string, report: ReportBody): Promise<OwnReport>;
  /** Reports a user to the app's moderators (once per user). */
  flagUser(userId: string, report: ReportBody): Promise<OwnReport>;

  /** The blocked users; `loadBlocked()` fills it, `block`/`unblock` keep it current. */
  readonly blocked: ReadableStore<BlockedUsersState>;
  /** Fetches the blocked users (single-flight). */
  loadBlocked(): Promise<void>;
  /**
   * Blocks a user: the server hides their messages from this user from now on (live, pages,
   * search, replays), stops pushes from them and refuses direct messages either way. The
   * blocked user is not told. Messages already on screen: filter them with `blocked.ids`.
   */
  block(userId: string): Promise<void>;
  unblock(userId: string): Promise<void>;

  /** A page of the channel's pinned messages, newest pin first. */
  pinnedMessages(
    channel: ChannelKey,
    page?: { limit?: number; cursor?: string },
  ): Promise<PinnedMessagesResponse>;
  /** Sets the channel's slow mode: seconds between two messages of a member (0 turns it off). */
  setSlowMode(channel: ChannelKey, seconds: number): Promise<ChannelData>;

  /** The review queue (app admins: the whole app; channel moderators: their channels). */
  reviewQueue(query?: Partial<ListReviewItemsQuery>): Promise<ReviewItemsResponse>;
  reviewItem(itemId: string): Promise<ReviewItemResponse>;
  /** Assigns a review item to a reviewer (`null` unassigns). */
  assign(itemId: string, userId: string | null): Promise<ReviewItemResponse>;
  /** Dismisses, deletes the message, bans, times out or restores; resolves the item. */
  act(itemId: string, action: ReviewActionBody): Promise<ReviewItemResponse>;
  /** Who moderated what, newest first (app admins). */
  audit(query?: Partial<ListModerationAuditQuery>): Promise<ModerationAuditResponse>;

  /** A user's app-wide standing: bans, shadow ban, timeout (moderators). */
  standing(userId: string): Promise<UserStanding>;
  /** Bans a user from the whole app (`shadow: true`: their messages are seen by themselves only). */
  banFromApp(userId: string, ban?: AppBanBody): Promise<UserStanding>;
  unbanFromApp(userId: string, options?: { shadow?: boolean }): Promise<UserStanding>;
  /** Keeps a user from sending, reacting and editing anywhere in the app for `timeout` seconds. */
  timeOut(userId: string, timeout: TimeoutBody): Promise<UserStanding>;
  endTimeout(userId: string): Promise<UserStanding>;
}

const INITIAL: BlockedUsersState = { blocks: null, ids: new Set(), loading: false, error: null };

const asChatError = (cause: unknown) =>
  cause instanceof ChatError
    ? cause
    : new ChatError({ code: 'network_error', message: String(cause), retryable: true, cause });

const withBlocks = (blocks: readonly BlockedUser[]) => ({
  blocks,
  ids: new Set(blocks.map((b) => b.user.id)),
});

const sources = new WeakMap<ChatClient, Moderation>();

/**
 * The moderation API of `client`, one per client. A separate entry (`@chat/core/moderation`),
 * outside the main bundle's budget: most users of most apps never report or moderate.
 *
 * @example
 * import { moderationOf } from '@chat/core/moderation';
 * const moderation = moderationOf(client);
 * await moderation.flagMessage(message.id, { reason: 'spam' });
 * await moderation.block('carol');
 * const { items } = await moderation.reviewQueue({ status: 'pending' });
 * await moderation.act(items[0].id, { action: 'delete_message', reason: 'spam' });
 */
export function moderationOf(client: ChatClient): Moderation {
  const existing = sources.get(client);
  if (existing) return existing;
  const call = <N extends ModerationRouteName>(name: N, ...args: RequestArgs<N>) =>
    client.http.call(MODERATION_ROUTES[name], name, ...args);
  const state = createStore<BlockedUsersState>(INITIAL);
  let inFlight: Promise<void> | undefined;
  let userId = client.userId;
  // What is held belongs to the user it was fetched for.
  client.user.subscribe(() => {
    if (client.userId === userId) return;
    userId = client.userId;
    inFlight = undefined;
    state.setState(INITIAL);
  });
  const failed = (cause: unknown): never => {
    const error = asChatError(cause);
    state.setState((s) => ({ ...s, loading: false, error }));
    throw error;
  };
  const params = (channel: ChannelKey) => ({ type: channel.type as ChannelData['type'], id: channel.id });

  const moderation: Moderation = {
    flagMessage: async (id, body) => (await call('reportMessage', { params: { id }, body })).report,
    flagUser: async (id, body) => (await call('reportUser', { params: { userId: id }, body })).report,

    blocked: state,
    loadBlocked() {
      if (inFlight) return inFlight;
      state.setState((s) => ({ ...s, loading: true }));
      const forUser = client.userId;
      inFlight = call('listBlockedUsers')
        .then(({ blocks }) => {
          if (client.userId === forUser)
            state.setState({ ...withBlocks(blocks), loading: false, error: null });
        }, failed)
        .finally(() => {
          inFlight = undefined;
        });
      return inFlight;
    },
    async block(id) {
      const { block } = await call('blockUser', { params: { userId: id } }).catch(failed);
      state.setState((s) => ({
        ...s,
        ...withBlocks([block, ...(s.blocks ?? []).filter((b) => b.user.id !== id)]),
        error: null,
      }));
    },
    async unblock(id) {
      await call('unblockUser', { params: { userId: id } }).catch(failed);
      state.setState((s) => ({
        ...s,
        ...withBlocks((s.blocks ?? []).filter((b) => b.user.id !== id)),
        error: null,
      }));
    },

    pinnedMessages: (channel, page = {}) =>
      call('listPinnedMessages', { params: params(channel), query: page }),
    setSlowMode: async (channel, seconds) =>
      (await call('setSlowMode', { params: params(channel), body: { slow_mode_s: seconds } })).channel,

    reviewQueue: (query = {}) => call('listReviewItems', { query }),
    reviewItem: (itemId) => call('getReviewItem', { params: { itemId } }),
    assign: (itemId, user) => call('assignReviewItem', { params: { itemId }, body: { user_id: user } }),
    act: (itemId, body) => call('actOnReviewItem', { params: { itemId }, body }),
    audit: (query = {}) => call('listModerationAudit', { query }),

    standing: async (id) => (await call('getUserStanding', { params: { userId: id } })).standing,
    banFromApp: async (id, body = {}) =>
      (await call('banUserFromApp', { params: { userId: id }, body })).standing,
    unbanFromApp: async (id, options = {}) =>
      (
        await call('unbanUserFromApp', {
          params: { userId: id },
          query: options.shadow ? { shadow: 'true' } : {},
        })
      ).standing,
    timeOut: async (id, body) => (await call('timeOutUser', { params: { userId: id }, body })).standing,
    endTimeout: async (id) => (await call('endUserTimeout', { params: { userId: id } })).standing,
  };
  sources.set(client, moderation);
  return moderation;
}

/**
 * How long (ms) the user must still wait before sending in a channel in slow mode: 0 when it is
 * off, when the user is exempt (moderators and admins), or when the cooldown has passed since
 * their last message (`lastSentAt`, ISO).
 */
export function slowModeWait(
  channel: Pick<ChannelData, 'slow_mode_s'>,
  lastSentAt: string | null | undefined,
  now: number,
  exempt = false,
): number {
  const seconds = channel.slow_mode_s ?? 0;
  if (exempt || seconds <= 0 || !lastSentAt) return 0;
  return Math.max(0, Date.parse(lastSentAt) + seconds * 1000 - now);
}
