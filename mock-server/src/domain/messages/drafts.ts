import type { ChannelType, Draft } from '@chat/protocol';
import type { Actor } from '../../kernel/actor';
import { ChatError, forbidden } from '../../kernel/errors';
import { loadChannel, requireAccess } from '../channels/channel-access';
import type { DomainDeps } from '../deps';

async function draftScope(deps: DomainDeps, actor: Actor, type: ChannelType, id: string, parentId?: string) {
  if (!actor.userId) throw forbidden('Drafts belong to a user; server tokens have none');
  const access = await loadChannel(deps.db, actor, type, id);
  requireAccess(actor, access, 'read');
  if (parentId) {
    const parent = await deps.db
      .selectFrom('messages')
      .select('id')
      .where('channel_id', '=', access.channel.id)
      .where('id', '=', parentId)
      .executeTakeFirst();
    if (!parent) {
      throw new ChatError('validation_failed', 'No such message in this channel', {
        issues: [{ path: ['parent_id'], message: 'No such message in this channel' }],
      });
    }
  }
  return { access, userId: actor.userId, parentId: parentId ?? null };
}

/** Saves the user's unsent text for a channel (or one of its threads); one draft each. */
export async function saveDraft(
  deps: DomainDeps,
  actor: Actor,
  type: ChannelType,
  id: string,
  text: string,
  parentId?: string,
): Promise<Draft> {
  const scope = await draftScope(deps, actor, type, id, parentId);
  const now = new Date();
  await deps.db
    .insertInto('message_drafts')
    .values({
      app_id: actor.appId,
      channel_id: scope.access.channel.id,
      app_user_id: scope.userId,
      parent_id: scope.parentId,
      text,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['channel_id', 'app_user_id', 'parent_id']).doUpdateSet({ text, updated_at: now }),
    )
    .execute();
  return { cid: scope.access.cid, parent_id: scope.parentId, text, updated_at: now.toISOString() };
}

export async function getDraft(
  deps: DomainDeps,
  actor: Actor,
  type: ChannelType,
  id: string,
  parentId?: string,
): Promise<Draft | null> {
  const scope = await draftScope(deps, actor, type, id, parentId);
  let q = deps.db
    .selectFrom('message_drafts')
    .selectAll()
    .where('channel_id', '=', scope.access.channel.id)
    .where('app_user_id', '=', scope.userId);
  q = scope.parentId ? q.where('parent_id', '=', scope.parentId) : q.where('parent_id', 'is', null);
  const row = await q.executeTakeFirst();
  return row
    ? {
        cid: scope.access.cid,
        parent_id: row.parent_id,
        text: row.text,
        updated_at: new Date(row.updated_at).toISOString(),
      }
    : null;
}

export async function deleteDraft(
  deps: DomainDeps,
  actor: Actor,
  type: ChannelType,
  id: string,
  parentId?: string,
): Promise<void> {
  const scope = await draftScope(deps, actor, type, id, parentId);
  let q = deps.db
    .deleteFrom('message_drafts')
    .where('channel_id', '=', scope.access.channel.id)
    .where('app_user_id', '=', scope.userId);
  q = scope.parentId ? q.where('parent_id', '=', scope.parentId) : q.where('parent_id', 'is', null);
  await q.execute();
}
