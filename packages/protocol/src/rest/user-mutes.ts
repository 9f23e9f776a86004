import { z } from 'zod';
import { userRef } from '../entities/user';
import { timestamp } from '../primitives';

/**
 * Users the calling user muted: no push comes from them (their messages still show; blocking is
 * what hides them). At most `LIMITS.MUTED_USERS_MAX` per user.
 */
export const mutedUser = z.object({ user: userRef, created_at: timestamp });
export type MutedUser = z.infer<typeof mutedUser>;
export const mutedUserResponse = z.object({ mute: mutedUser });
export const mutedUsersResponse = z.object({ mutes: z.array(mutedUser) });
