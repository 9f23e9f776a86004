import { z } from 'zod';
import { channelListResponse, queryChannelsBody } from '../rest/channels';
import { listReviewItemsQuery, reviewItemsResponse } from '../rest/moderation';
import { searchQuery, searchResponse } from '../rest/search';
import { queryUsersQuery, usersResponse } from '../rest/users';
import {
  changePasswordBody,
  customerResponse,
  portalLoginBody,
  portalRefreshBody,
  portalSessionParams,
  portalSessionsResponse,
  portalTokenResponse,
  signUpBody,
  updateCustomerBody,
} from './accounts';
import { applicationConfigResponse, updateApplicationConfigBody } from './app-config';
import {
  applicationParams,
  applicationSecretResponse,
  appTokenResponse,
  createApplicationBody,
  mintAppTokenBody,
  portalApplicationResponse,
  portalApplicationsResponse,
  rotateSecretBody,
  updateApplicationBody,
} from './applications';
import {
  acceptInviteBody,
  createdInviteResponse,
  createInviteBody,
  createTeamBody,
  portalRolesResponse,
  setTeamRoleBody,
  teamInviteParams,
  teamInvitesResponse,
  teamMemberParams,
  teamMemberResponse,
  teamMembersResponse,
  teamParams,
  teamResponse,
  teamsResponse,
  updateTeamBody,
} from './teams';

/**
 * Who may call a portal endpoint: `anonymous` anyone (sign up, log in, refresh), `customer` a
 * customer account's portal access token. Chat tokens (users' and servers') are never accepted.
 */
export type PortalEndpointAuth = 'anonymous' | 'customer';

export interface PortalEndpoint {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** OpenAPI-style path, e.g. `/portal/v1/teams/{teamId}`. */
  path: string;
  summary: string;
  auth: PortalEndpointAuth;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response: z.ZodType;
  status?: 200 | 201;
}

const ok = z.object({ ok: z.literal(true) });

const e = <const E extends PortalEndpoint>(endpoint: E) => endpoint;

/** The portal API: customer accounts, teams with roles, and the applications a team owns. */
export const portalEndpoints = {
  // Accounts and sessions.
  signUp: e({
    method: 'POST',
    path: '/portal/v1/auth/signup',
    summary: 'Create a customer account (and log it in)',
    auth: 'anonymous',
    body: signUpBody,
    response: portalTokenResponse,
    status: 201,
  }),
  portalLogin: e({
    method: 'POST',
    path: '/portal/v1/auth/login',
    summary: 'Log in to the portal with email and password',
    auth: 'anonymous',
    body: portalLoginBody,
    response: portalTokenResponse,
  }),
  portalRefresh: e({
    method: 'POST',
    path: '/portal/v1/auth/refresh',
    summary: 'Trade a refresh token for a new pair (single use; reuse revokes the session)',
    auth: 'anonymous',
    body: portalRefreshBody,
    response: portalTokenResponse,
  }),
  portalLogout: e({
    method: 'POST',
    path: '/portal/v1/auth/logout',
    summary: 'End the session the access token belongs to',
    auth: 'customer',
    response: ok,
  }),
  getCustomer: e({
    method: 'GET',
    path: '/portal/v1/me',
    summary: 'The signed-in customer',
    auth: 'customer',
    response: customerResponse,
  }),
  updateCustomer: e({
    method: 'PATCH',
    path: '/portal/v1/me',
    summary: "Change the customer's display name",
    auth: 'customer',
    body: updateCustomerBody,
    response: customerResponse,
  }),
  changePassword: e({
    method: 'POST',
    path: '/portal/v1/me/password',
    summary: 'Change the password; every other session ends',
    auth: 'customer',
    body: changePasswordBody,
    response: ok,
  }),
  listSessions: e({
    method: 'GET',
    path: '/portal/v1/me/sessions',
    summary: "The customer's live sessions",
    auth: 'customer',
    response: portalSessionsResponse,
  }),
  revokeSession: e({
    method: 'DELETE',
    path: '/portal/v1/me/sessions/{sessionId}',
    summary: 'End one session (its tokens stop working at once)',
    auth: 'customer',
    params: portalSessionParams,
    response: ok,
  }),
  // Teams, members and invitations.
  getPortalRoles: e({
    method: 'GET',
    path: '/portal/v1/roles',
    summary: 'The team roles and what each may do',
    auth: 'customer',
    response: portalRolesResponse,
  }),
  createTeam: e({
    method: 'POST',
    path: '/portal/v1/teams',
    summary: 'Create a team (the caller is its owner)',
    auth: 'customer',
    body: createTeamBody,
    response: teamResponse,
    status: 201,
  }),
  listTeams: e({
    method: 'GET',
    path: '/portal/v1/teams',
    summary: "The caller's teams, with the caller's role in each",
    auth: 'customer',
    response: teamsResponse,
  }),
  getTeam: e({
    method: 'GET',
    path: '/portal/v1/teams/{teamId}',
    summary: 'A team of the caller',
    auth: 'customer',
    params: teamParams,
    response: teamResponse,
  }),
  updateTeam: e({
    method: 'PATCH',
    path: '/portal/v1/teams/{teamId}',
    summary: 'Rename a team',
    auth: 'customer',
    params: teamParams,
    body: updateTeamBody,
    response: teamResponse,
  }),
  listTeamMembers: e({
    method: 'GET',
    path: '/portal/v1/teams/{teamId}/members',
    summary: "A team's members and their roles",
    auth: 'customer',
    params: teamParams,
    response: teamMembersResponse,
  }),
  setTeamRole: e({
    method: 'PATCH',
    path: '/portal/v1/teams/{teamId}/members/{customerId}',
    summary: "Change a member's role (the last owner cannot be demoted)",
    auth: 'customer',
    params: teamMemberParams,
    body: setTeamRoleBody,
    response: teamMemberResponse,
  }),
  removeTeamMember: e({
    method: 'DELETE',
    path: '/portal/v1/teams/{teamId}/members/{customerId}',
    summary: 'Remove a member, or leave (the last owner cannot)',
    auth: 'customer',
    params: teamMemberParams,
    response: ok,
  }),
  createTeamInvite: e({
    method: 'POST',
    path: '/portal/v1/teams/{teamId}/invites',
    summary: 'Invite someone with a single-use link granting a role',
    auth: 'customer',
    params: teamParams,
    body: createInviteBody,
    response: createdInviteResponse,
    status: 201,
  }),
  listTeamInvites: e({
    method: 'GET',
    path: '/portal/v1/teams/{teamId}/invites',
    summary: "A team's invitations",
    auth: 'customer',
    params: teamParams,
    response: teamInvitesResponse,
  }),
  revokeTeamInvite: e({
    method: 'DELETE',
    path: '/portal/v1/teams/{teamId}/invites/{inviteId}',
    summary: 'Revoke a pending invitation',
    auth: 'customer',
    params: teamInviteParams,
    response: ok,
  }),
  acceptTeamInvite: e({
    method: 'POST',
    path: '/portal/v1/invites/accept',
    summary: 'Join a team with an invitation token',
    auth: 'customer',
    body: acceptInviteBody,
    response: teamResponse,
  }),
  // Applications and keys.
  createApplication: e({
    method: 'POST',
    path: '/portal/v1/teams/{teamId}/apps',
    summary: 'Create an application (its secret is shown this once)',
    auth: 'customer',
    params: teamParams,
    body: createApplicationBody,
    response: applicationSecretResponse,
    status: 201,
  }),
  listApplications: e({
    method: 'GET',
    path: '/portal/v1/teams/{teamId}/apps',
    summary: "A team's applications",
    auth: 'customer',
    params: teamParams,
    response: portalApplicationsResponse,
  }),
  getApplication: e({
    method: 'GET',
    path: '/portal/v1/apps/{appId}',
    summary: 'An application (never its secret)',
    auth: 'customer',
    params: applicationParams,
    response: portalApplicationResponse,
  }),
  updateApplication: e({
    method: 'PATCH',
    path: '/portal/v1/apps/{appId}',
    summary: 'Rename an application, change its registration or allowed origins',
    auth: 'customer',
    params: applicationParams,
    body: updateApplicationBody,
    response: portalApplicationResponse,
  }),
  disableApplication: e({
    method: 'POST',
    path: '/portal/v1/apps/{appId}/disable',
    summary: 'Disable an application: its requests and connections are refused (app_disabled)',
    auth: 'customer',
    params: applicationParams,
    response: portalApplicationResponse,
  }),
  enableApplication: e({
    method: 'POST',
    path: '/portal/v1/apps/{appId}/enable',
    summary: 'Enable a disabled application',
    auth: 'customer',
    params: applicationParams,
    response: portalApplicationResponse,
  }),
  deleteApplication: e({
    method: 'DELETE',
    path: '/portal/v1/apps/{appId}',
    summary: 'Delete an application: gone at once, its data purged later',
    auth: 'customer',
    params: applicationParams,
    response: ok,
  }),
  rotateApplicationSecret: e({
    method: 'POST',
    path: '/portal/v1/apps/{appId}/secret/rotate',
    summary: 'Issue a new api secret; the old one verifies tokens for a grace window',
    auth: 'customer',
    params: applicationParams,
    body: rotateSecretBody,
    response: applicationSecretResponse,
  }),
  getApplicationConfig: e({
    method: 'GET',
    path: '/portal/v1/apps/{appId}/config',
    summary: "An application's configuration in one place (the channel types' permission table included)",
    auth: 'customer',
    params: applicationParams,
    response: applicationConfigResponse,
  }),
  updateApplicationConfig: e({
    method: 'PATCH',
    path: '/portal/v1/apps/{appId}/config',
    summary: "Change an application's permission table; in force on every node without a restart",
    auth: 'customer',
    params: applicationParams,
    body: updateApplicationConfigBody,
    response: applicationConfigResponse,
  }),
  // Support views: an application's data as its staff sees it (moderation.review), audit-logged.
  supportListUsers: e({
    method: 'GET',
    path: '/portal/v1/apps/{appId}/support/users',
    summary: "An application's users, by id or name (support view)",
    auth: 'customer',
    params: applicationParams,
    query: queryUsersQuery,
    response: usersResponse,
  }),
  supportQueryChannels: e({
    method: 'POST',
    path: '/portal/v1/apps/{appId}/support/channels/query',
    summary: "An application's channels, filtered like the chat API's query (support view)",
    auth: 'customer',
    params: applicationParams,
    body: queryChannelsBody,
    response: channelListResponse,
  }),
  supportSearchMessages: e({
    method: 'GET',
    path: '/portal/v1/apps/{appId}/support/messages',
    summary: "Full-text search over all of an application's messages (support view)",
    auth: 'customer',
    params: applicationParams,
    query: searchQuery,
    response: searchResponse,
  }),
  supportListReviewItems: e({
    method: 'GET',
    path: '/portal/v1/apps/{appId}/support/review-items',
    summary: "An application's moderation queue (support view)",
    auth: 'customer',
    params: applicationParams,
    query: listReviewItemsQuery,
    response: reviewItemsResponse,
  }),
  mintApplicationToken: e({
    method: 'POST',
    path: '/portal/v1/apps/{appId}/tokens',
    summary: "Mint a token for the application's backend (server) or one of its users",
    auth: 'customer',
    params: applicationParams,
    body: mintAppTokenBody,
    response: appTokenResponse,
    status: 201,
  }),
} as const;

export type PortalEndpointName = keyof typeof portalEndpoints;
type PortalDef<N extends PortalEndpointName> = (typeof portalEndpoints)[N];
export type PortalEndpointResponse<N extends PortalEndpointName> = z.infer<PortalDef<N>['response']>;
