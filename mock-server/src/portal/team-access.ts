import { PORTAL_PERMISSIONS, type PortalPermission, type TeamRole } from '@chat/protocol';
import { ChatError } from '../kernel/errors';
import type { PlatformDb } from '../store/data-access';
import type { AppRow } from '../store/schema';
import type { PortalActor } from './portal-actor';

/** What `role` may do, in the table's order. */
export function permissionsOf(role: TeamRole): PortalPermission[] {
  return (Object.keys(PORTAL_PERMISSIONS) as PortalPermission[]).filter((permission) =>
    (PORTAL_PERMISSIONS[permission] as readonly TeamRole[]).includes(role),
  );
}

export function may(role: TeamRole, permission: PortalPermission): boolean {
  return (PORTAL_PERMISSIONS[permission] as readonly TeamRole[]).includes(role);
}

/**
 * The caller's role in the team, if the role may do `permission`. A team the caller is not in
 * does not exist for them (404, as for a team that does not exist at all); a role that may not
 * is told which roles may (403).
 */
export async function requireTeamPermission(
  db: PlatformDb,
  actor: PortalActor,
  teamId: string,
  permission: PortalPermission,
): Promise<TeamRole> {
  const row = await db
    .selectFrom('customer_user_teams')
    .select('role')
    .where('team_id', '=', teamId)
    .where('customer_user_id', '=', actor.customerId)
    .executeTakeFirst();
  if (!row) throw new ChatError('not_found', 'No such team');
  const role = row.role as TeamRole;
  requireRole(role, permission);
  return role;
}

/** An application of one of the caller's teams, if the caller's role there may do `permission`. */
export async function requireAppPermission(
  db: PlatformDb,
  actor: PortalActor,
  appId: string,
  permission: PortalPermission,
): Promise<{ app: AppRow & { team_id: string }; role: TeamRole }> {
  const row = await db
    .selectFrom('applications as a')
    .innerJoin('customer_user_teams as m', 'm.team_id', 'a.team_id')
    .selectAll('a')
    .select('m.role as member_role')
    .where('a.id', '=', appId)
    .where('a.deleted_at', 'is', null)
    .where('m.customer_user_id', '=', actor.customerId)
    .executeTakeFirst();
  if (!row) throw new ChatError('not_found', 'No such application');
  const { member_role, ...app } = row;
  const role = member_role as TeamRole;
  requireRole(role, permission);
  return { app: app as AppRow & { team_id: string }, role };
}

function requireRole(role: TeamRole, permission: PortalPermission): void {
  if (may(role, permission)) return;
  throw new ChatError(
    'forbidden',
    `A team ${role} may not do this (${permission}: ${PORTAL_PERMISSIONS[permission].join(', ')})`,
    { permission, role },
  );
}
