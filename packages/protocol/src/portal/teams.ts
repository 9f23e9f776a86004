import { z } from 'zod';
import { LIMITS } from '../limits';
import { name, safeString, timestamp } from '../primitives';
import { customerEmail } from './accounts';
import { PORTAL_LIMITS } from './limits';

/** Roles in a team, most powerful first; what each may do is `PORTAL_PERMISSIONS`. */
export const TEAM_ROLES = ['owner', 'admin', 'developer', 'moderator', 'viewer'] as const;
export const teamRole = z.enum(TEAM_ROLES);
export type TeamRole = z.infer<typeof teamRole>;

/** What a member of a team may do, by role. The server enforces exactly this table. */
export const PORTAL_PERMISSIONS = {
  /** See the team, its members and its applications (keys, never secrets), usage. */
  'team.view': ['owner', 'admin', 'developer', 'moderator', 'viewer'],
  /** Rename the team. */
  'team.manage': ['owner', 'admin'],
  /** Invite people (never to a role above one's own) and revoke invitations. */
  'members.invite': ['owner', 'admin'],
  /** Change roles and remove members (an admin: not owners, and never to owner). */
  'members.manage': ['owner', 'admin'],
  /** Create applications. */
  'apps.create': ['owner', 'admin', 'developer'],
  /** Rename, disable, enable; change an application's configuration. */
  'apps.configure': ['owner', 'admin', 'developer'],
  /** Delete an application. */
  'apps.delete': ['owner', 'admin'],
  /** Rotate the api secret (the new one is shown once), mint server tokens. */
  'keys.manage': ['owner', 'admin', 'developer'],
  /** Review the moderation queue; read an application's users, channels and messages. */
  'moderation.review': ['owner', 'admin', 'moderator'],
  /** Change the plan, see invoices. */
  billing: ['owner'],
} as const satisfies Record<string, readonly TeamRole[]>;
export type PortalPermission = keyof typeof PORTAL_PERMISSIONS;

export const teamParams = z.strictObject({ teamId: z.uuid() });
export const teamMemberParams = z.strictObject({ teamId: z.uuid(), customerId: z.uuid() });
export const teamInviteParams = z.strictObject({ teamId: z.uuid(), inviteId: z.uuid() });

const teamName = name.min(1);
export const createTeamBody = z.strictObject({ name: teamName });
export const updateTeamBody = z.strictObject({ name: teamName });
export type CreateTeamBody = z.infer<typeof createTeamBody>;

export const team = z.object({
  id: z.uuid(),
  name: z.string(),
  created_at: timestamp,
  /** The caller's role in it, and so what the caller may do there. */
  role: teamRole,
  permissions: z.array(z.string()),
});
export type Team = z.infer<typeof team>;
export const teamResponse = z.object({ team });
export const teamsResponse = z.object({ teams: z.array(team) });

export const teamMember = z.object({
  customer_id: z.uuid(),
  email: z.string(),
  display_name: z.string().nullable(),
  role: teamRole,
  joined_at: timestamp,
});
export type TeamMember = z.infer<typeof teamMember>;
export const teamMemberResponse = z.object({ member: teamMember });
export const teamMembersResponse = z.object({ members: z.array(teamMember) });
export const setTeamRoleBody = z.strictObject({ role: teamRole });

/** Hours an invitation stays usable: a week unless said, at most thirty days. */
export const createInviteBody = z.strictObject({
  role: teamRole,
  /** Whom it is for (shown in the list; the link works for whoever signs in with it). */
  email: customerEmail.optional(),
  expires_in_hours: z.number().int().min(1).max(PORTAL_LIMITS.INVITE_HOURS_MAX).optional(),
});
export type CreateInviteBody = z.infer<typeof createInviteBody>;

export const teamInvite = z.object({
  id: z.uuid(),
  role: teamRole,
  email: z.string().nullable(),
  created_at: timestamp,
  expires_at: timestamp,
  /** `pending` until accepted, revoked or expired. */
  status: z.enum(['pending', 'accepted', 'revoked', 'expired']),
});
export type TeamInvite = z.infer<typeof teamInvite>;
export const teamInvitesResponse = z.object({ invites: z.array(teamInvite) });
/** The invitation and its token, shown once: the link to send is the dashboard's, with it. */
export const createdInviteResponse = z.object({ invite: teamInvite, token: z.string() });

export const acceptInviteBody = z.strictObject({ token: safeString(LIMITS.TOKEN_LENGTH).min(16) });

export const portalRolesResponse = z.object({
  roles: z.array(teamRole),
  permissions: z.record(z.string(), z.array(teamRole)),
});
