import {
  type CreateInviteBody,
  PORTAL_LIMITS,
  type Team,
  type TeamInvite,
  type TeamRole,
} from '@chat/protocol';
import { hashRefreshToken, newRefreshSecret } from '../domain/auth/index';
import { ChatError } from '../kernel/errors';
import type { PlatformDb } from '../store/data-access';
import { recordAudit } from './audit';
import type { PortalActor } from './portal-actor';
import { requireTeamPermission } from './team-access';
import { toTeam } from './teams';

const DEFAULT_INVITE_HOURS = 7 * 24;
const ROLE_RANK: Record<TeamRole, number> = { owner: 0, admin: 1, developer: 2, moderator: 3, viewer: 4 };

/**
 * Invitations: a single-use token (256 random bits, only its hash stored) that makes whoever
 * accepts it a member with the invitation's role. No one invites above their own role.
 */
export async function createInvite(
  db: PlatformDb,
  actor: PortalActor,
  teamId: string,
  body: CreateInviteBody,
): Promise<{ invite: TeamInvite; token: string }> {
  const myRole = await requireTeamPermission(db, actor, teamId, 'members.invite');
  if (ROLE_RANK[body.role] < ROLE_RANK[myRole]) {
    throw new ChatError('forbidden', `A team ${myRole} may not invite an ${body.role}`, { role: myRole });
  }
  const { pending } = await db
    .selectFrom('team_invites')
    .select((eb) => eb.fn.countAll<string>().as('pending'))
    .where('team_id', '=', teamId)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', new Date())
    .executeTakeFirstOrThrow();
  if (Number(pending) >= PORTAL_LIMITS.PENDING_INVITES_MAX) {
    throw new ChatError(
      'rate_limited',
      `A team has at most ${PORTAL_LIMITS.PENDING_INVITES_MAX} pending invitations`,
      {
        retry_after_ms: 3600_000,
      },
    );
  }
  const token = newRefreshSecret();
  const hours = body.expires_in_hours ?? DEFAULT_INVITE_HOURS;
  const row = await db
    .insertInto('team_invites')
    .values({
      team_id: teamId,
      token: hashRefreshToken(token)!,
      role: body.role,
      email: body.email ?? null,
      created_by: actor.customerId,
      expires_at: new Date(Date.now() + hours * 3600_000),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(db, actor, {
    teamId,
    action: 'invite.created',
    details: { invite_id: row.id, role: body.role, email: body.email ?? null },
  });
  return { invite: toInvite(row), token };
}

export async function listInvites(db: PlatformDb, actor: PortalActor, teamId: string): Promise<TeamInvite[]> {
  await requireTeamPermission(db, actor, teamId, 'members.invite');
  const rows = await db
    .selectFrom('team_invites')
    .selectAll()
    .where('team_id', '=', teamId)
    .orderBy('created_at', 'desc')
    .limit(200)
    .execute();
  return rows.map(toInvite);
}

export async function revokeInvite(
  db: PlatformDb,
  actor: PortalActor,
  teamId: string,
  inviteId: string,
): Promise<{ ok: true }> {
  await requireTeamPermission(db, actor, teamId, 'members.invite');
  const result = await db
    .updateTable('team_invites')
    .set({ revoked_at: new Date() })
    .where('id', '=', inviteId)
    .where('team_id', '=', teamId)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw new ChatError('not_found', 'No pending invitation with this id');
  await recordAudit(db, actor, { teamId, action: 'invite.revoked', details: { invite_id: inviteId } });
  return { ok: true };
}

/**
 * Joins the team the invitation is for. The invitation row is locked and marked used in the same
 * transaction, so two people racing with one link cannot both get in. A member already in the
 * team keeps their role (an invitation never demotes) and the link stays unused.
 */
export async function acceptInvite(db: PlatformDb, actor: PortalActor, token: string): Promise<Team> {
  const hash = hashRefreshToken(token);
  return db.transaction().execute(async (trx) => {
    const invite = hash
      ? await trx
          .selectFrom('team_invites')
          .selectAll()
          .where('token', '=', hash)
          .forUpdate()
          .executeTakeFirst()
      : undefined;
    if (!invite) throw new ChatError('not_found', 'No such invitation');
    if (invite.accepted_at !== null) throw unusable('used', 'This invitation was already used');
    if (invite.revoked_at !== null) throw unusable('revoked', 'This invitation was revoked');
    if (new Date(invite.expires_at).getTime() <= Date.now())
      throw unusable('expired', 'This invitation has expired');
    const team = await trx
      .selectFrom('teams')
      .selectAll()
      .where('id', '=', invite.team_id)
      .executeTakeFirstOrThrow();
    const existing = await trx
      .selectFrom('customer_user_teams')
      .select('role')
      .where('team_id', '=', invite.team_id)
      .where('customer_user_id', '=', actor.customerId)
      .executeTakeFirst();
    if (existing) {
      throw new ChatError('conflict', `You are already a ${existing.role} of this team`, {
        reason: 'already_member',
      });
    }
    const { members } = await trx
      .selectFrom('customer_user_teams')
      .select((eb) => eb.fn.countAll<string>().as('members'))
      .where('team_id', '=', invite.team_id)
      .executeTakeFirstOrThrow();
    if (Number(members) >= PORTAL_LIMITS.MEMBERS_PER_TEAM_MAX) {
      throw new ChatError('conflict', `A team has at most ${PORTAL_LIMITS.MEMBERS_PER_TEAM_MAX} members`);
    }
    await trx
      .insertInto('customer_user_teams')
      .values({ team_id: invite.team_id, customer_user_id: actor.customerId, role: invite.role })
      .execute();
    await trx
      .updateTable('team_invites')
      .set({ accepted_at: new Date(), accepted_by: actor.customerId })
      .where('id', '=', invite.id)
      .execute();
    await recordAudit(trx, actor, {
      teamId: invite.team_id,
      action: 'invite.accepted',
      details: { invite_id: invite.id, role: invite.role },
    });
    return toTeam(team, invite.role as TeamRole);
  });
}

function unusable(reason: 'used' | 'revoked' | 'expired', message: string): ChatError {
  return new ChatError('invite_unusable', message, { reason });
}

function toInvite(row: {
  id: string;
  role: string;
  email: string | null;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
}): TeamInvite {
  const status =
    row.accepted_at !== null
      ? 'accepted'
      : row.revoked_at !== null
        ? 'revoked'
        : new Date(row.expires_at).getTime() <= Date.now()
          ? 'expired'
          : 'pending';
  return {
    id: row.id,
    role: row.role as TeamRole,
    email: row.email,
    created_at: new Date(row.created_at).toISOString(),
    expires_at: new Date(row.expires_at).toISOString(),
    status,
  };
}
