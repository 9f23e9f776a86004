import { z } from 'zod';
import { customData, timestamp, userId } from '../primitives';

export const USER_ROLES = ['user', 'admin'] as const;
export const userRole = z.enum(USER_ROLES);
export type UserRole = z.infer<typeof userRole>;

/** An end user of an application (`app_users`); `id` is the app's own id for them. */
export const user = z.object({
  id: userId,
  name: z.string().nullable(),
  image: z.string().nullable(),
  role: userRole,
  custom: customData,
  online: z.boolean(),
  last_active_at: timestamp.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});
export type User = z.infer<typeof user>;

/**
 * The part of a user embedded in messages, members and events. `last_active_at` is when their
 * presence last changed (the database's clock): of two refs, the later one says who is online now
 * (absent from refs stored before it existed).
 */
export const userRef = user
  .pick({ id: true, name: true, image: true, online: true })
  .extend({ last_active_at: timestamp.nullable().optional() });
export type UserRef = z.infer<typeof userRef>;
