import type { PortalEndpointName, PortalEndpointResponse, portalEndpoints } from '@chat/protocol';
import type { z } from 'zod';
import type { Publish } from '../events/published-event';
import { ChatError } from '../kernel/errors';
import type { DataAccess, PlatformDb } from '../store/data-access';
import type { PortalAccounts, RequestOrigin } from './accounts';
import * as appConfig from './app-config';
import * as apps from './applications';
import * as invites from './invites';
import type { PortalActor } from './portal-actor';
import { endSession, listSessions } from './sessions';
import * as support from './support';
import * as teams from './teams';

type Def<N extends PortalEndpointName> = (typeof portalEndpoints)[N];
type Part<N extends PortalEndpointName, K extends 'params' | 'query' | 'body'> =
  Def<N> extends Record<K, z.ZodType> ? z.output<Def<N>[K]> : undefined;

/** What a portal handler gets: the caller authenticated, the request validated. */
export interface PortalContext<N extends PortalEndpointName> {
  actor: Def<N>['auth'] extends 'anonymous' ? null : PortalActor;
  params: Part<N, 'params'>;
  query: Part<N, 'query'>;
  body: Part<N, 'body'>;
  origin: RequestOrigin;
}

export interface PortalServices {
  db: PlatformDb;
  /** Each application's data, for the support views (scoped to the one application asked about). */
  data: DataAccess;
  accounts: PortalAccounts;
  /** Live events: a disabled or deleted application's sockets are closed on every node. */
  publish: Publish;
  /** The longest token lifetime the chat API accepts: tokens minted here live no longer. */
  maxTokenLifetimeSeconds: number;
}

export type PortalHandlers = {
  [N in PortalEndpointName]: (ctx: PortalContext<N>) => Promise<PortalEndpointResponse<N>>;
};

/** Each portal endpoint mapped to what serves it; a missing one is a compile error. */
export function createPortalHandlers(s: PortalServices): PortalHandlers {
  const { db, accounts } = s;
  return {
    signUp: ({ body, origin }) => accounts.signUp(body, origin),
    portalLogin: ({ body, origin }) => accounts.login(body, origin),
    portalRefresh: ({ body }) => accounts.refresh(body.refresh_token),
    portalLogout: ({ actor }) => accounts.logout(actor),
    getCustomer: async ({ actor }) => ({ customer: await accounts.me(actor) }),
    updateCustomer: async ({ actor, body }) => ({ customer: await accounts.update(actor, body) }),
    changePassword: ({ actor, body }) => accounts.changePassword(actor, body),
    listSessions: async ({ actor }) => ({
      sessions: await listSessions(db, actor.customerId, actor.sessionId),
    }),
    revokeSession: async ({ actor, params }) => {
      if (!(await endSession(db, actor.customerId, params.sessionId))) {
        throw new ChatError('not_found', 'No live session with this id');
      }
      return { ok: true };
    },
    getPortalRoles: async () => teams.rolesTable(),
    createTeam: async ({ actor, body }) => ({ team: await teams.createTeam(db, actor, body) }),
    listTeams: async ({ actor }) => ({ teams: await teams.listTeams(db, actor) }),
    getTeam: async ({ actor, params }) => ({ team: await teams.getTeam(db, actor, params.teamId) }),
    updateTeam: async ({ actor, params, body }) => ({
      team: await teams.renameTeam(db, actor, params.teamId, body.name),
    }),
    listTeamMembers: async ({ actor, params }) => ({
      members: await teams.listMembers(db, actor, params.teamId),
    }),
    setTeamRole: async ({ actor, params, body }) => ({
      member: await teams.setRole(db, actor, params.teamId, params.customerId, body.role),
    }),
    removeTeamMember: ({ actor, params }) => teams.removeMember(db, actor, params.teamId, params.customerId),
    createTeamInvite: ({ actor, params, body }) => invites.createInvite(db, actor, params.teamId, body),
    listTeamInvites: async ({ actor, params }) => ({
      invites: await invites.listInvites(db, actor, params.teamId),
    }),
    revokeTeamInvite: ({ actor, params }) => invites.revokeInvite(db, actor, params.teamId, params.inviteId),
    acceptTeamInvite: async ({ actor, body }) => ({
      team: await invites.acceptInvite(db, actor, body.token),
    }),
    createApplication: ({ actor, params, body }) => apps.createApplication(db, actor, params.teamId, body),
    listApplications: async ({ actor, params }) => ({
      applications: await apps.listApplications(db, actor, params.teamId),
    }),
    getApplication: async ({ actor, params }) => ({
      application: await apps.getApplication(db, actor, params.appId),
    }),
    updateApplication: async ({ actor, params, body }) => ({
      application: await apps.updateApplication(db, actor, params.appId, body),
    }),
    disableApplication: async ({ actor, params }) => ({
      application: await apps.setApplicationEnabled(db, s.publish, actor, params.appId, false),
    }),
    enableApplication: async ({ actor, params }) => ({
      application: await apps.setApplicationEnabled(db, s.publish, actor, params.appId, true),
    }),
    deleteApplication: ({ actor, params }) => apps.deleteApplication(db, s.publish, actor, params.appId),
    rotateApplicationSecret: ({ actor, params, body }) =>
      apps.rotateSecret(db, actor, params.appId, body.grace_seconds),
    getApplicationConfig: async ({ actor, params }) => ({
      config: await appConfig.getConfig(db, actor, params.appId),
    }),
    updateApplicationConfig: async ({ actor, params, body }) => ({
      config: await appConfig.updateConfig(db, s.publish, actor, params.appId, body.channel_type_overrides),
    }),
    supportListUsers: ({ actor, params, query }) => support.supportUsers(s, actor, params.appId, query),
    supportQueryChannels: ({ actor, params, body }) => support.supportChannels(s, actor, params.appId, body),
    supportSearchMessages: ({ actor, params, query }) =>
      support.supportMessages(s, actor, params.appId, query),
    supportListReviewItems: ({ actor, params, query }) =>
      support.supportReviewItems(s, actor, params.appId, query),
    mintApplicationToken: ({ actor, params, body }) =>
      apps.mintToken(db, actor, params.appId, body, s.maxTokenLifetimeSeconds),
  };
}
