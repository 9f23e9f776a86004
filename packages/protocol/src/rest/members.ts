import { z } from 'zod';
import { member, memberRole } from '../entities/channel';
import { LIMITS } from '../limits';
import { safeString, userId } from '../primitives';

export const memberIdsBody = z.strictObject({
  user_ids: z.array(userId).min(1).max(LIMITS.IDS_PER_REQUEST),
});
export type MemberIdsBody = z.infer<typeof memberIdsBody>;

export const setMemberRoleBody = z.strictObject({ role: memberRole });
export type SetMemberRoleBody = z.infer<typeof setMemberRoleBody>;

export const banBody = z.strictObject({
  user_id: userId,
  /** Seconds until the ban lifts; without it the ban lasts until lifted. */
  timeout: z.number().int().min(1).max(LIMITS.BAN_TIMEOUT_SECONDS_MAX).optional(),
  reason: safeString(500).optional(),
});
export type BanBody = z.infer<typeof banBody>;

export const membersResponse = z.object({ members: z.array(member) });
export type MembersResponse = z.infer<typeof membersResponse>;
