import type { CustomData } from '@chat/protocol';
import type { PlatformDb } from '../store/data-access';
import type { PortalActor } from './portal-actor';

/** Records what a member did to a team or one of its applications (portal_audit). */
export async function recordAudit(
  db: PlatformDb,
  actor: PortalActor,
  entry: { teamId: string; appId?: string; action: string; details?: CustomData },
): Promise<void> {
  await db
    .insertInto('portal_audit')
    .values({
      team_id: entry.teamId,
      application_id: entry.appId ?? null,
      customer_user_id: actor.customerId,
      action: entry.action,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}
