import { randomBytes } from 'node:crypto';
import {
  type CreateApplicationBody,
  type CustomData,
  type MintAppTokenBody,
  PORTAL_LIMITS,
  type PortalApplication,
  type UpdateApplicationBody,
} from '@chat/protocol';
import type { Updateable } from 'kysely';
import { createServerToken, createUserToken } from '../domain/auth/index';
import { forgetApp } from '../domain/users/app-lookup';
import type { Publish } from '../events/published-event';
import { ChatError } from '../kernel/errors';
import type { PlatformDb } from '../store/data-access';
import type { ApplicationsTable, AppRow } from '../store/schema';
import { recordAudit } from './audit';
import type { PortalActor } from './portal-actor';
import { requireAppPermission, requireTeamPermission } from './team-access';

/**
 * A day: the longest a token may live by default (CHAT_MAX_TOKEN_LIFETIME_S), so every token
 * signed with the old secret before a rotation expires before the old secret stops verifying, and
 * no live user is logged out by a rotation.
 */
export const DEFAULT_SECRET_GRACE_SECONDS = 24 * 3600;

/** Applications of a team: created, renamed, disabled, deleted, and their keys. */

export async function createApplication(
  db: PlatformDb,
  actor: PortalActor,
  teamId: string,
  body: CreateApplicationBody,
): Promise<{ application: PortalApplication; api_secret: string }> {
  await requireTeamPermission(db, actor, teamId, 'apps.create');
  return db.transaction().execute(async (trx) => {
    // The team row locked: two creations at once cannot both pass the count.
    await trx.selectFrom('teams').select('id').where('id', '=', teamId).forUpdate().execute();
    const { count } = await trx
      .selectFrom('applications')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('team_id', '=', teamId)
      .where('deleted_at', 'is', null)
      .executeTakeFirstOrThrow();
    if (Number(count) >= PORTAL_LIMITS.APPS_PER_TEAM_MAX) {
      throw new ChatError('conflict', `A team has at most ${PORTAL_LIMITS.APPS_PER_TEAM_MAX} applications`);
    }
    const app = await trx
      .insertInto('applications')
      .values({
        name: body.name,
        team_id: teamId,
        // Hex: a key never starts with '-', which a command line takes for an option.
        api_key: randomBytes(12).toString('hex'),
        api_secret: newSecret(),
        allow_registration: body.allow_registration ?? false,
        allowed_origins: body.allowed_origins ?? [],
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, actor, {
      teamId,
      appId: app.id,
      action: 'app.created',
      details: { name: app.name },
    });
    return { application: toApplication(app), api_secret: app.api_secret };
  });
}

export async function listApplications(
  db: PlatformDb,
  actor: PortalActor,
  teamId: string,
): Promise<PortalApplication[]> {
  await requireTeamPermission(db, actor, teamId, 'team.view');
  const rows = await db
    .selectFrom('applications')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .execute();
  return rows.map(toApplication);
}

export async function getApplication(
  db: PlatformDb,
  actor: PortalActor,
  appId: string,
): Promise<PortalApplication> {
  const { app } = await requireAppPermission(db, actor, appId, 'team.view');
  return toApplication(app);
}

export async function updateApplication(
  db: PlatformDb,
  actor: PortalActor,
  appId: string,
  body: UpdateApplicationBody,
): Promise<PortalApplication> {
  const { app } = await requireAppPermission(db, actor, appId, 'apps.configure');
  return toApplication(
    await changeApplication(db, actor, app, body, { action: 'app.updated', details: body }),
  );
}

/**
 * Disabled: requests are answered `app_disabled`; sockets, open and new, are told so and closed
 * with APP_DISABLED (a terminal code: the SDK stops reconnecting).
 */
export async function setApplicationEnabled(
  db: PlatformDb,
  publish: Publish,
  actor: PortalActor,
  appId: string,
  enabled: boolean,
): Promise<PortalApplication> {
  const { app } = await requireAppPermission(db, actor, appId, 'apps.configure');
  const updated = await changeApplication(
    db,
    actor,
    app,
    { is_active: enabled, disabled_at: enabled ? null : new Date() },
    { action: enabled ? 'app.enabled' : 'app.disabled' },
  );
  if (!enabled) closeSockets(publish, app.id);
  return toApplication(updated);
}

/** Gone at once for every caller (its api key names nothing); its rows are purged later. */
export async function deleteApplication(
  db: PlatformDb,
  publish: Publish,
  actor: PortalActor,
  appId: string,
): Promise<{ ok: true }> {
  const { app } = await requireAppPermission(db, actor, appId, 'apps.delete');
  await changeApplication(
    db,
    actor,
    app,
    { deleted_at: new Date(), is_active: false },
    { action: 'app.deleted', details: { name: app.name } },
  );
  closeSockets(publish, app.id);
  return { ok: true };
}

/**
 * A new secret, shown this once. The one it replaces keeps verifying tokens for `graceSeconds`
 * (0: not at all, for a leaked secret); a secret older than that, from a rotation before, stops
 * at once. New tokens are signed with the new secret only.
 */
export async function rotateSecret(
  db: PlatformDb,
  actor: PortalActor,
  appId: string,
  graceSeconds: number = DEFAULT_SECRET_GRACE_SECONDS,
): Promise<{ application: PortalApplication; api_secret: string }> {
  const { app } = await requireAppPermission(db, actor, appId, 'keys.manage');
  const now = new Date();
  const updated = await changeApplication(
    db,
    actor,
    app,
    {
      api_secret: newSecret(),
      previous_api_secret: graceSeconds > 0 ? app.api_secret : null,
      previous_secret_expires_at: graceSeconds > 0 ? new Date(now.getTime() + graceSeconds * 1000) : null,
      secret_rotated_at: now,
    },
    { action: 'app.secret_rotated', details: { grace_seconds: graceSeconds } },
  );
  return { application: toApplication(updated), api_secret: updated.api_secret };
}

export async function mintToken(
  db: PlatformDb,
  actor: PortalActor,
  appId: string,
  body: MintAppTokenBody,
  maxLifetimeSeconds: number,
): Promise<{ token: string; expires_at: string }> {
  const { app } = await requireAppPermission(db, actor, appId, 'keys.manage');
  const seconds = body.expires_in_seconds ?? 3600;
  if (seconds > maxLifetimeSeconds) {
    throw new ChatError(
      'validation_failed',
      `This server accepts tokens living at most ${maxLifetimeSeconds} s`,
      {
        issues: [{ path: ['expires_in_seconds'], message: `At most ${maxLifetimeSeconds}` }],
      },
    );
  }
  const token =
    'server' in body
      ? await createServerToken(app.api_secret, { expiresIn: seconds })
      : await createUserToken(app.api_secret, body.user_id, { expiresIn: seconds });
  await recordAudit(db, actor, {
    teamId: app.team_id,
    appId,
    action: 'app.token_minted',
    details: 'server' in body ? { server: true } : { user_id: body.user_id },
  });
  return { token, expires_at: new Date(Date.now() + seconds * 1000).toISOString() };
}

/** Every node closes the application's sockets (see `PublishedEvent.appClosed`). */
function closeSockets(publish: Publish, appId: string): void {
  publish({
    appId,
    channelId: null,
    appClosed: true,
    event: { type: 'health.check', created_at: new Date().toISOString() },
  });
}

/**
 * Writes a change to an application, makes this node see it at once (the others within their
 * cache's few seconds) and records it in the team's audit.
 */
export async function changeApplication(
  db: PlatformDb,
  actor: PortalActor,
  app: AppRow & { team_id: string },
  change: Updateable<ApplicationsTable>,
  audit: { action: string; details?: CustomData },
): Promise<AppRow> {
  const updated = await db
    .updateTable('applications')
    .set({ ...change, updated_at: new Date() })
    .where('id', '=', app.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  forgetApp(db, app.api_key);
  await recordAudit(db, actor, { teamId: app.team_id, appId: app.id, ...audit });
  return updated;
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function toApplication(row: AppRow): PortalApplication {
  const iso = (value: Date | null) => (value === null ? null : new Date(value).toISOString());
  const graceLives =
    row.previous_secret_expires_at !== null &&
    new Date(row.previous_secret_expires_at).getTime() > Date.now();
  return {
    id: row.id,
    team_id: row.team_id!,
    name: row.name,
    api_key: row.api_key,
    status: row.is_active ? 'active' : 'disabled',
    allow_registration: row.allow_registration,
    allowed_origins: row.allowed_origins,
    plan_id: row.plan_id,
    created_at: new Date(row.created_at).toISOString(),
    disabled_at: iso(row.disabled_at),
    secret_rotated_at: iso(row.secret_rotated_at),
    previous_secret_expires_at: graceLives ? iso(row.previous_secret_expires_at) : null,
  };
}
