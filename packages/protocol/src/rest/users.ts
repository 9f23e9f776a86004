import { z } from 'zod';
import { user, userRole } from '../entities/user';
import { LIMITS } from '../limits';
import { customData, httpUrl, name, safeString, userId } from '../primitives';
import { limitParam, listParam } from './query-params';

export const userInput = z.strictObject({
  id: userId,
  name: name.optional(),
  image: httpUrl.nullable().optional(),
  role: userRole.optional(),
  custom: customData.optional(),
});
export type UserInput = z.infer<typeof userInput>;

/** Server-side only: create or update users by the app's own ids. */
export const upsertUsersBody = z.strictObject({
  users: z.array(userInput).min(1).max(LIMITS.IDS_PER_REQUEST),
});
export type UpsertUsersBody = z.infer<typeof upsertUsersBody>;

export const updateSelfBody = z
  .strictObject({
    name: name.optional(),
    image: httpUrl.nullable().optional(),
    custom: customData.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'Give at least one field to change' });
export type UpdateSelfBody = z.infer<typeof updateSelfBody>;

export const queryUsersQuery = z.strictObject({
  ids: listParam(userId, LIMITS.IDS_PER_REQUEST).optional(),
  /** A prefix of the user's id or name. */
  q: safeString(LIMITS.NAME_LENGTH).min(1).optional(),
  limit: limitParam,
});
export type QueryUsersQuery = z.infer<typeof queryUsersQuery>;

export const userResponse = z.object({ user });
export const usersResponse = z.object({ users: z.array(user) });
export type UsersResponse = z.infer<typeof usersResponse>;
