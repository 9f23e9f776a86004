import type {
  ChannelListResponse,
  ListReviewItemsQuery,
  QueryChannelsBody,
  QueryUsersQuery,
  ReviewItemsResponse,
  SearchQuery,
  SearchResponse,
  User,
} from '@chat/protocol';
import { queryChannels } from '../domain/channels/query-channels';
import type { DomainDeps } from '../domain/deps';
import { searchMessages } from '../domain/messages/search';
import { listReviewItems } from '../domain/moderation/review-queue';
import { queryUsers } from '../domain/users/users';
import type { Publish } from '../events/published-event';
import type { Actor } from '../kernel/actor';
import type { DataAccess } from '../store/data-access';
import { recordAudit } from './audit';
import type { PortalActor } from './portal-actor';
import { requireAppPermission } from './team-access';

/**
 * Support views: an application's users, channels, messages and moderation queue, read by its
 * team's staff (`moderation.review`) with the same domain queries the chat API answers with, as
 * the application's backend would (all of its data, none of another's: the scope is the app's).
 * Every view is written to the portal audit with what was asked.
 */
export interface SupportServices {
  data: DataAccess;
  publish: Publish;
}

type View = 'users' | 'channels' | 'messages' | 'review_items';

async function asStaff(s: SupportServices, actor: PortalActor, appId: string, view: View, asked: object) {
  const { app } = await requireAppPermission(s.data.platform, actor, appId, 'moderation.review');
  await recordAudit(s.data.platform, actor, {
    teamId: app.team_id,
    appId,
    action: `support.${view}_viewed`,
    details: JSON.parse(JSON.stringify(asked)),
  });
  const deps: DomainDeps = { db: s.data.forApp(app.id), publish: s.publish };
  const backend: Actor = { appId: app.id, userId: null, externalId: null, role: 'admin', server: true };
  return { deps, backend };
}

export async function supportUsers(
  s: SupportServices,
  actor: PortalActor,
  appId: string,
  query: QueryUsersQuery,
): Promise<{ users: User[] }> {
  const { deps } = await asStaff(s, actor, appId, 'users', query);
  return { users: await queryUsers(deps.db, query) };
}

export async function supportChannels(
  s: SupportServices,
  actor: PortalActor,
  appId: string,
  body: QueryChannelsBody,
): Promise<ChannelListResponse> {
  const { deps, backend } = await asStaff(s, actor, appId, 'channels', body);
  return queryChannels(deps, backend, body);
}

export async function supportMessages(
  s: SupportServices,
  actor: PortalActor,
  appId: string,
  query: SearchQuery,
): Promise<SearchResponse> {
  const { deps, backend } = await asStaff(s, actor, appId, 'messages', query);
  return searchMessages(deps, backend, query);
}

export async function supportReviewItems(
  s: SupportServices,
  actor: PortalActor,
  appId: string,
  query: ListReviewItemsQuery,
): Promise<ReviewItemsResponse> {
  const { deps, backend } = await asStaff(s, actor, appId, 'review_items', query);
  return listReviewItems(deps, backend, query);
}
