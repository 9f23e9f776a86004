import type { ApplicationConfig, ChannelTypeOverrides } from '@chat/protocol';
import { effectiveTable, useAppPermissions } from '../domain/channels/permissions';
import type { Publish } from '../events/published-event';
import type { PlatformDb } from '../store/data-access';
import type { AppRow } from '../store/schema';
import { changeApplication } from './applications';
import type { PortalActor } from './portal-actor';
import { requireAppPermission } from './team-access';

/** An application's configuration, in one place: what the portal can change about its chat. */

export async function getConfig(
  db: PlatformDb,
  actor: PortalActor,
  appId: string,
): Promise<ApplicationConfig> {
  const { app } = await requireAppPermission(db, actor, appId, 'team.view');
  return toConfig(app);
}

/**
 * Replaces the application's permission-table overrides. In force at once on this node, on the
 * realtime nodes as soon as the bus delivers it (their sockets' next frame is judged by it), and on
 * the other REST nodes within their application cache's few seconds: no restart anywhere.
 */
export async function updateConfig(
  db: PlatformDb,
  publish: Publish,
  actor: PortalActor,
  appId: string,
  overrides: ChannelTypeOverrides,
): Promise<ApplicationConfig> {
  const { app } = await requireAppPermission(db, actor, appId, 'apps.configure');
  const updated = await changeApplication(
    db,
    actor,
    app,
    { channel_permissions: JSON.stringify(overrides) },
    { action: 'app.config_changed', details: { channel_type_overrides: overrides } },
  );
  useAppPermissions(app.id, overrides);
  publish({
    appId: app.id,
    channelId: null,
    appPermissions: overrides,
    event: { type: 'health.check', created_at: new Date().toISOString() },
  });
  return toConfig(updated);
}

function toConfig(app: AppRow): ApplicationConfig {
  return {
    allow_registration: app.allow_registration,
    allowed_origins: app.allowed_origins,
    channel_types: effectiveTable(app.channel_permissions),
    channel_type_overrides: app.channel_permissions,
  };
}
