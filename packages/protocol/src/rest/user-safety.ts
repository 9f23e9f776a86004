import { z } from 'zod';
import { userRef } from '../entities/user';
import { LIMITS, MODERATION_LIMITS } from '../limits';
import { safeString, timestamp, userId } from '../primitives';

/**
 * User safety: users blocking users, app-wide bans, shadow bans and timeouts.
 *
 * A block hides the blocked user's messages from the blocker (live, in pages, search and replays),
 * stops notifications and pushes from them, and refuses direct messages either way. The blocked
 * user is not told. At most `MODERATION_LIMITS.BLOCKED_USERS_MAX` per user.
 */
export const blockedUser = z.object({ user: userRef, created_at: timestamp });
export type BlockedUser = z.infer<typeof blockedUser>;
export const blockedUserResponse = z.object({ block: blockedUser });
export const blockedUsersResponse = z.object({ blocks: z.array(blockedUser) });

/**
 * Banning a user from the application (app admins and the app's backend). `shadow: true` shadow-
 * bans instead: the user keeps using the app, but what they send from now on is seen by
 * themselves only. Without `timeout` (seconds) a ban lasts until lifted.
 */
export const appBanBody = z.strictObject({
  timeout: z.number().int().min(1).max(LIMITS.BAN_TIMEOUT_SECONDS_MAX).optional(),
  reason: safeString(MODERATION_LIMITS.MODERATION_REASON_LENGTH).optional(),
  shadow: z.boolean().optional(),
});
export type AppBanBody = z.infer<typeof appBanBody>;

/** Lifting: the app ban, or with `shadow=true` the shadow ban. */
export const appUnbanQuery = z.strictObject({ shadow: z.enum(['true', 'false']).optional() });
export type AppUnbanQuery = z.infer<typeof appUnbanQuery>;

/** Timing a user out app-wide: no send, reaction or edit for `timeout` seconds. */
export const timeoutBody = z.strictObject({
  timeout: z.number().int().min(1).max(MODERATION_LIMITS.TIMEOUT_SECONDS_MAX),
  reason: safeString(MODERATION_LIMITS.MODERATION_REASON_LENGTH).optional(),
});
export type TimeoutBody = z.infer<typeof timeoutBody>;

/** A user's app-wide standing, as moderators see it (a shadow-banned user is never shown theirs). */
export const userStanding = z.object({
  user_id: userId,
  banned: z.boolean(),
  ban_expires_at: timestamp.nullable(),
  ban_reason: z.string().nullable(),
  shadow_banned: z.boolean(),
  timed_out_until: timestamp.nullable(),
  timeout_reason: z.string().nullable(),
});
export type UserStanding = z.infer<typeof userStanding>;
export const userStandingResponse = z.object({ standing: userStanding });
