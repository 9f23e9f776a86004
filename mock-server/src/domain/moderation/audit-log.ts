import type { ModerationAuditEntry } from '@chat/protocol';
import { type Selectable, sql } from 'kysely';
import { recordAppEvent } from '../../events/app-events';
import type { Actor } from '../../kernel/actor';
import type { AppDb } from '../../store/app-scope';
import type { ModerationAuditTable } from '../../store/schema';

/**
 * The moderation audit log: every moderator, admin and server action (and the automatic ones a
 * blocklist takes) is one row, written in the action's own transaction, so an action and its record
 * commit or fail together. Each row also goes out as the `moderation.action` app event (webhooks).
 */
export interface ModerationRecord {
  /** e.g. 'report.dismissed', 'message.deleted', 'channel.banned', 'app.banned', 'user.timed_out'. */
  action: string;
  /** Who acted (a server token: `actor.server`, `userId` null). */
  actor: Actor;
  /** `app_users.id` of the user acted on. */
  targetUserId?: string | null;
  /** `messages.id` of the message acted on. */
  messageId?: string | null;
  /** `channels.id` of the channel acted in. */
  channelId?: string | null;
  reason?: string | null;
  details?: Record<string, unknown>;
}

/** Writes the audit row and its outbox event (webhook `moderation.action`), in the caller's transaction. */
export async function recordModerationAction(tx: AppDb, record: ModerationRecord): Promise<void> {
  const { actor } = record;
  const targetUserId = record.targetUserId ?? null;
  const channelId = record.channelId ?? null;
  // The record names users and channels by their app-facing ids, copied now (one statement), so
  // it still reads the same after they are deleted; the scope keeps both lookups in this app.
  const row = await tx
    .insertInto('moderation_audit')
    .values((eb) => ({
      app_id: actor.appId,
      action: record.action,
      actor_external_id: actor.externalId,
      actor_server: actor.server,
      target_external_id:
        targetUserId === null
          ? null
          : eb.selectFrom('app_users').select('external_id').where('id', '=', targetUserId),
      message_id: record.messageId ?? null,
      cid:
        channelId === null
          ? null
          : eb
              .selectFrom('channels')
              .select(sql<string>`type || ':' || external_id`.as('cid'))
              .where('id', '=', channelId),
      reason: record.reason ?? null,
      details: JSON.stringify(record.details ?? {}),
    }))
    .returningAll()
    .executeTakeFirstOrThrow();
  const entry = toAuditEntry(row);
  await recordAppEvent(tx, actor.appId, {
    type: 'moderation.action',
    created_at: entry.created_at,
    action: entry,
  });
}

export function toAuditEntry(row: Selectable<ModerationAuditTable>): ModerationAuditEntry {
  return {
    id: row.id,
    action: row.action,
    actor: { user_id: row.actor_external_id, server: row.actor_server },
    target_user_id: row.target_external_id,
    message_id: row.message_id,
    cid: row.cid,
    reason: row.reason,
    details: typeof row.details === 'string' ? JSON.parse(row.details) : row.details,
    created_at: new Date(row.created_at).toISOString(),
  };
}

/**
 * What a review action adds to a moderator action of another domain file that it reuses (a ban, a
 * deletion): the reason, details for the audit record (the review item), and its own writes, run
 * in the action's transaction so the action, the item's resolution and the record commit together.
 */
export interface ModerationContext {
  reason?: string | null;
  details?: Record<string, unknown>;
  within?: (tx: AppDb) => Promise<void>;
}
