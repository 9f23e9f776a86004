import {
  type CreateTeamBody,
  PORTAL_LIMITS,
  PORTAL_PERMISSIONS,
  TEAM_ROLES,
  type Team,
  type TeamMember,
  type TeamRole,
} from '@chat/protocol';
import { ChatError } from '../kernel/errors';
import type { PlatformDb } from '../store/data-access';
import { recordAudit } from './audit';
import type { PortalActor } from './portal-actor';
import { permissionsOf, requireTeamPermission } from './team-access';

/** Teams and their members: who belongs, with which role, and the last owner who cannot go. */

export async function createTeam(db: PlatformDb, actor: PortalActor, body: CreateTeamBody): Promise<Team> {
  return db.transaction().execute(async (trx) => {
    const { count } = await trx
      .selectFrom('customer_user_teams')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('customer_user_id', '=', actor.customerId)
      .executeTakeFirstOrThrow();
    if (Number(count) >= PORTAL_LIMITS.TEAMS_PER_CUSTOMER_MAX) {
      throw new ChatError(
        'conflict',
        `A customer belongs to at most ${PORTAL_LIMITS.TEAMS_PER_CUSTOMER_MAX} teams`,
      );
    }
    const team = await trx
      .insertInto('teams')
      .values({ name: body.name })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('customer_user_teams')
      .values({ team_id: team.id, customer_user_id: actor.customerId, role: 'owner' })
      .execute();
    await recordAudit(trx, actor, { teamId: team.id, action: 'team.created', details: { name: body.name } });
    return toTeam(team, 'owner');
  });
}

export async function listTeams(db: PlatformDb, actor: PortalActor): Promise<Team[]> {
  const rows = await db
    .selectFrom('teams as t')
    .innerJoin('customer_user_teams as m', 'm.team_id', 't.id')
    .selectAll('t')
    .select('m.role')
    .where('m.customer_user_id', '=', actor.customerId)
    .orderBy('t.created_at')
    .execute();
  return rows.map((row) => toTeam(row, row.role as TeamRole));
}

export async function getTeam(db: PlatformDb, actor: PortalActor, teamId: string): Promise<Team> {
  const role = await requireTeamPermission(db, actor, teamId, 'team.view');
  return toTeam(await teamRow(db, teamId), role);
}

export async function renameTeam(
  db: PlatformDb,
  actor: PortalActor,
  teamId: string,
  name: string,
): Promise<Team> {
  const role = await requireTeamPermission(db, actor, teamId, 'team.manage');
  const team = await db
    .updateTable('teams')
    .set({ name, updated_at: new Date() })
    .where('id', '=', teamId)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(db, actor, { teamId, action: 'team.renamed', details: { name } });
  return toTeam(team, role);
}

export async function listMembers(db: PlatformDb, actor: PortalActor, teamId: string): Promise<TeamMember[]> {
  await requireTeamPermission(db, actor, teamId, 'team.view');
  const rows = await db
    .selectFrom('customer_user_teams as m')
    .innerJoin('customer_users as c', 'c.id', 'm.customer_user_id')
    .select(['c.id', 'c.email', 'c.display_name', 'm.role', 'm.created_at'])
    .where('m.team_id', '=', teamId)
    .orderBy('m.created_at')
    .execute();
  return rows.map(toMember);
}

/**
 * Changes a member's role. An owner may give any role; an admin may change only members below
 * owner, and never to owner. The last owner cannot be demoted: the team would be left with no one
 * who may bill or hand ownership on.
 */
export async function setRole(
  db: PlatformDb,
  actor: PortalActor,
  teamId: string,
  customerId: string,
  role: TeamRole,
): Promise<TeamMember> {
  return db.transaction().execute(async (trx) => {
    const myRole = await requireTeamPermission(trx, actor, teamId, 'members.manage');
    const current = await memberRow(trx, teamId, customerId);
    requireMayManage(myRole, current.role as TeamRole, role);
    if (current.role === 'owner' && role !== 'owner') await requireAnotherOwner(trx, teamId, customerId);
    const updated = await trx
      .updateTable('customer_user_teams')
      .set({ role })
      .where('team_id', '=', teamId)
      .where('customer_user_id', '=', customerId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, actor, {
      teamId,
      action: 'member.role_changed',
      details: { customer_id: customerId, from: current.role, to: role },
    });
    return toMember({ ...current, role: updated.role });
  });
}

/** Removes a member, or (the member's own id) leaves the team. The last owner can do neither. */
export async function removeMember(
  db: PlatformDb,
  actor: PortalActor,
  teamId: string,
  customerId: string,
): Promise<{ ok: true }> {
  return db.transaction().execute(async (trx) => {
    const leaving = customerId === actor.customerId;
    const myRole = await requireTeamPermission(trx, actor, teamId, leaving ? 'team.view' : 'members.manage');
    const current = await memberRow(trx, teamId, customerId);
    if (!leaving) requireMayManage(myRole, current.role as TeamRole, undefined);
    if (current.role === 'owner') await requireAnotherOwner(trx, teamId, customerId);
    await trx
      .deleteFrom('customer_user_teams')
      .where('team_id', '=', teamId)
      .where('customer_user_id', '=', customerId)
      .execute();
    await recordAudit(trx, actor, {
      teamId,
      action: leaving ? 'member.left' : 'member.removed',
      details: { customer_id: customerId, role: current.role },
    });
    return { ok: true as const };
  });
}

/** Whether someone of `myRole` may change a member of `theirRole` (to `newRole`, or remove them). */
function requireMayManage(myRole: TeamRole, theirRole: TeamRole, newRole: TeamRole | undefined): void {
  if (myRole === 'owner') return;
  if (theirRole === 'owner' || newRole === 'owner') {
    throw new ChatError('forbidden', 'Only an owner may change, remove or appoint owners', { role: myRole });
  }
}

/**
 * Refuses to take away the team's last owner. The owners' rows are locked first, so two owners
 * demoting each other at once cannot both succeed and leave none.
 */
async function requireAnotherOwner(db: PlatformDb, teamId: string, leavingId: string): Promise<void> {
  const owners = await db
    .selectFrom('customer_user_teams')
    .select('customer_user_id')
    .where('team_id', '=', teamId)
    .where('role', '=', 'owner')
    .forUpdate()
    .execute();
  if (!owners.some((owner) => owner.customer_user_id !== leavingId)) {
    throw new ChatError(
      'conflict',
      'The last owner cannot leave or be demoted: make someone else an owner first',
      {
        reason: 'last_owner',
      },
    );
  }
}

async function memberRow(db: PlatformDb, teamId: string, customerId: string) {
  const row = await db
    .selectFrom('customer_user_teams as m')
    .innerJoin('customer_users as c', 'c.id', 'm.customer_user_id')
    .select(['c.id', 'c.email', 'c.display_name', 'm.role', 'm.created_at'])
    .where('m.team_id', '=', teamId)
    .where('m.customer_user_id', '=', customerId)
    .executeTakeFirst();
  if (!row) throw new ChatError('not_found', 'No such member in this team');
  return row;
}

async function teamRow(db: PlatformDb, teamId: string) {
  return db.selectFrom('teams').selectAll().where('id', '=', teamId).executeTakeFirstOrThrow();
}

export function toTeam(row: { id: string; name: string; created_at: Date }, role: TeamRole): Team {
  return {
    id: row.id,
    name: row.name,
    created_at: new Date(row.created_at).toISOString(),
    role,
    permissions: permissionsOf(role),
  };
}

function toMember(row: {
  id: string;
  email: string;
  display_name: string | null;
  role: string;
  created_at: Date;
}): TeamMember {
  return {
    customer_id: row.id,
    email: row.email,
    display_name: row.display_name,
    role: row.role as TeamRole,
    joined_at: new Date(row.created_at).toISOString(),
  };
}

/** The role table as the API shows it. */
export function rolesTable() {
  return {
    roles: [...TEAM_ROLES],
    permissions: Object.fromEntries(
      Object.entries(PORTAL_PERMISSIONS).map(([permission, roles]) => [permission, [...roles]]),
    ),
  };
}
