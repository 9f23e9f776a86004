import type { EndpointName, EndpointResponse, endpoints } from '@chat/protocol';
import type { z } from 'zod';
import * as channels from '../domain/channels/channels';
import * as members from '../domain/channels/members';
import { queryChannels } from '../domain/channels/query-channels';
import type { DomainDeps } from '../domain/deps';
import * as devices from '../domain/devices/devices';
import * as pushPreferences from '../domain/devices/push-preferences';
import * as drafts from '../domain/messages/drafts';
import * as linkPreviews from '../domain/messages/link-previews';
import * as messages from '../domain/messages/messages';
import * as reactions from '../domain/messages/reactions';
import { searchMessages } from '../domain/messages/search';
import { sendMessage } from '../domain/messages/send-message';
import * as reads from '../domain/reads/reads';
import type { Accounts } from '../domain/users/accounts';
import * as userMutes from '../domain/users/user-mutes';
import * as users from '../domain/users/users';
import type { Actor } from '../kernel/actor';
import * as uploadParts from '../storage/upload-parts';
import * as uploads from '../storage/uploads';
import type { AppRow } from '../store/schema';
import { type BlocklistServices, blocklistHandlers } from './blocklist-handlers';
import { channelModerationHandlers } from './channel-moderation-handlers';
import { moderationHandlers } from './moderation-handlers';
import { type PushServices, pushHandlers } from './push-handlers';
import type { SessionCookie } from './session-cookie';
import { userSafetyHandlers } from './user-safety-handlers';
import { type WebhookServices, webhookHandlers } from './webhook-handlers';

type Def<N extends EndpointName> = (typeof endpoints)[N];
type Part<N extends EndpointName, K extends 'params' | 'query' | 'body'> =
  Def<N> extends Record<K, z.ZodType> ? z.infer<Def<N>[K]> : undefined;

/** What a handler gets: everything already authenticated and validated. */
export interface HandlerContext<N extends EndpointName> {
  app: AppRow;
  /** Null only on `public` endpoints. */
  actor: Def<N>['auth'] extends 'public' ? null : Actor;
  params: Part<N, 'params'>;
  query: Part<N, 'query'>;
  body: Part<N, 'body'>;
  ip: string;
  /** The browser session's refresh-token cookie (used by the auth endpoints only). */
  session: SessionCookie;
}

export interface HandlerServices extends DomainDeps {
  accounts: Accounts;
  /** Blocklists: told when an app's lists change. */
  blocklists: BlocklistServices;
  webhooks: WebhookServices;
  push: PushServices;
  uploads: uploads.UploadServices;
}

export type Handlers = {
  [N in EndpointName]: (ctx: HandlerContext<N>) => Promise<EndpointResponse<N>>;
};

/**
 * Each REST endpoint of the protocol table, mapped to the domain call that serves it. The
 * mapped type makes a missing endpoint a compile error.
 */
export function createHandlers(s: HandlerServices): Handlers {
  const { db } = s;
  return {
    register: async ({ app, body, ip, session }) =>
      session.deliver(await s.accounts.register(app, body, ip), body.session === 'cookie'),
    login: async ({ app, body, ip, session }) =>
      session.deliver(await s.accounts.login(app, body, ip), body.session === 'cookie'),
    refresh: async ({ app, body, session }) => {
      const { token, fromCookie } = session.tokenOf(body.refresh_token);
      try {
        return session.deliver(await s.accounts.refresh(app, token), fromCookie);
      } catch (error) {
        // A cookie the server refuses (expired, revoked, reused) is of no more use: drop it.
        if (fromCookie) session.end();
        throw error;
      }
    },
    logout: async ({ app, body, session }) => {
      const token = body.refresh_token ?? session.read();
      session.end();
      if (token) await s.accounts.logout(app, token);
      return { ok: true as const };
    },

    createUpload: ({ actor, body }) => uploads.createUpload(db, s.uploads, actor, body),
    completeUpload: async ({ actor, params }) => ({
      upload: await uploads.completeUpload(db, s.uploads, actor, params.uploadId),
    }),
    getUpload: async ({ actor, params }) => ({
      upload: await uploads.getUpload(db, s.uploads, actor, params.uploadId),
    }),
    deleteUpload: async ({ actor, params }) => {
      await uploads.deleteUpload(db, s.uploads, actor, params.uploadId);
      return { ok: true as const };
    },
    // The slot is made as any upload's (the policy's checks, the rate), then cut into parts.
    createResumableUpload: async ({ actor, body }) => {
      const { upload } = await uploads.createUpload(db, s.uploads, actor, body);
      return { upload, multipart: await uploadParts.startMultipart(db, s.uploads, actor, upload.id) };
    },
    signUploadParts: async ({ actor, params, body }) => ({
      parts: await uploadParts.signUploadParts(db, s.uploads, actor, params.uploadId, body.part_numbers),
    }),
    listUploadParts: ({ actor, params }) =>
      uploadParts.listUploadParts(db, s.uploads, actor, params.uploadId),
    recordUploadPart: async ({ actor, params, body }) => ({
      part: await uploadParts.recordUploadPart(
        db,
        s.uploads,
        actor,
        params.uploadId,
        params.partNumber,
        body,
      ),
    }),
    getUploadPolicy: async ({ app }) => ({ policy: await s.uploads.policies.view(db, app.id) }),
    setUploadPolicy: async ({ app, body }) => ({
      policy: await s.uploads.policies.set(db, app.id, body),
    }),

    getMe: async ({ actor }) => ({ user: await users.getSelf(db, actor) }),
    updateMe: async ({ actor, body }) => ({ user: await users.updateSelf(db, actor, body) }),
    queryUsers: async ({ query }) => ({ users: await users.queryUsers(db, query) }),
    getUser: async ({ params }) => ({ user: await users.getUser(db, params.userId) }),
    upsertUsers: async ({ actor, body }) => ({ users: await users.upsertUsers(db, actor, body.users) }),

    createChannel: async ({ actor, body }) => (await channels.createChannel(s, actor, body)).state,
    queryChannels: ({ actor, body }) => queryChannels(s, actor, body),
    getChannel: ({ actor, params }) => channels.getChannel(s, actor, params.type, params.id),
    updateChannel: async ({ actor, params, body }) => ({
      channel: await channels.updateChannel(s, actor, params.type, params.id, body),
    }),
    deleteChannel: async ({ actor, params }) => ({
      channel: await channels.deleteChannel(s, actor, params.type, params.id),
    }),
    freezeChannel: async ({ actor, params }) => ({
      channel: await channels.setFrozen(s, actor, params.type, params.id, true),
    }),
    unfreezeChannel: async ({ actor, params }) => ({
      channel: await channels.setFrozen(s, actor, params.type, params.id, false),
    }),
    truncateChannel: async ({ actor, params }) => ({
      channel: await channels.truncateChannel(s, actor, params.type, params.id),
    }),

    listMembers: async ({ actor, params }) => ({
      members: await members.listMembers(s, actor, params.type, params.id),
    }),
    addMembers: async ({ actor, params, body }) => ({
      members: await members.addMembers(s, actor, params.type, params.id, body.user_ids),
    }),
    removeMembers: async ({ actor, params, body }) => ({
      members: await members.removeMembers(s, actor, params.type, params.id, body.user_ids),
    }),
    setMemberRole: async ({ actor, params, body }) => ({
      members: await members.setMemberRole(s, actor, params.type, params.id, params.userId, body.role),
    }),
    muteChannel: async ({ actor, params }) => ({
      members: await members.setMuted(s, actor, params.type, params.id, true),
    }),
    unmuteChannel: async ({ actor, params }) => ({
      members: await members.setMuted(s, actor, params.type, params.id, false),
    }),
    banMember: async ({ actor, params, body }) => ({
      members: await members.banMember(s, actor, params.type, params.id, body),
    }),
    unbanMember: async ({ actor, params }) => ({
      members: await members.unbanMember(s, actor, params.type, params.id, params.userId),
    }),

    sendMessage: async ({ actor, params, body }) => ({
      message: (await sendMessage(s, actor, params.type, params.id, body)).message,
    }),
    listMessages: ({ actor, params, query }) =>
      messages.listMessages(s, actor, params.type, params.id, query),
    getMessage: async ({ actor, params }) => ({ message: await messages.getMessage(s, actor, params.id) }),
    updateMessage: async ({ actor, params, body }) => ({
      message: await messages.updateMessage(s, actor, params.id, body),
    }),
    deleteMessage: async ({ actor, params }) => ({
      message: await messages.deleteMessage(s, actor, params.id),
    }),
    listReplies: ({ actor, params, query }) => messages.listReplies(s, actor, params.id, query),
    listReactions: ({ actor, params, query }) => reactions.listReactions(s, actor, params.id, query),
    addReaction: async ({ actor, params, body }) => ({
      message: await reactions.setReaction(s, actor, params.id, body.type, true),
    }),
    removeReaction: async ({ actor, params }) => ({
      message: await reactions.setReaction(s, actor, params.id, params.reaction, false),
    }),
    removeLinkPreview: async ({ actor, params, query }) => ({
      message: await linkPreviews.removeLinkPreview(s, actor, params.id, query.url),
    }),

    markRead: async ({ actor, params, body }) => ({
      read: [await reads.markRead(s, actor, params.type, params.id, body.message_id)],
    }),
    getReadState: async ({ actor, params }) => ({
      read: await reads.getReadState(s, actor, params.type, params.id),
    }),
    getUnread: ({ actor }) => reads.getUnread(s, actor),

    saveDraft: async ({ actor, params, body }) => ({
      draft: await drafts.saveDraft(s, actor, params.type, params.id, body.text, body.parent_id),
    }),
    getDraft: async ({ actor, params, query }) => ({
      draft: await drafts.getDraft(s, actor, params.type, params.id, query.parent_id),
    }),
    deleteDraft: async ({ actor, params, query }) => {
      await drafts.deleteDraft(s, actor, params.type, params.id, query.parent_id);
      return { draft: null };
    },

    search: ({ actor, query }) => searchMessages(s, actor, query),

    registerDevice: async ({ actor, body }) => ({ device: await devices.registerDevice(db, actor, body) }),
    listDevices: async ({ actor }) => ({ devices: await devices.listDevices(db, actor) }),
    getPushPreferences: async ({ actor }) => ({
      preferences: await pushPreferences.getPushPreferences(db, actor),
    }),
    setPushPreferences: async ({ actor, body }) => ({
      preferences: await pushPreferences.setPushPreferences(db, actor, body),
    }),
    listMutedUsers: async ({ actor }) => ({ mutes: await userMutes.listMutedUsers(db, actor) }),
    muteUser: async ({ actor, params }) => ({ mute: await userMutes.muteUser(db, actor, params.userId) }),
    unmuteUser: async ({ actor, params }) => {
      await userMutes.unmuteUser(db, actor, params.userId);
      return { ok: true as const };
    },
    deleteDevice: async ({ actor, params }) => {
      await devices.deleteDevice(db, actor, params.deviceId);
      return { ok: true as const };
    },

    ...webhookHandlers(db, s.webhooks),
    ...pushHandlers(db, s.push),
    ...blocklistHandlers(db, s.blocklists), // blocklists
    // Channel moderation: slow mode, pins and the pinned list.
    ...channelModerationHandlers(s),
    ...moderationHandlers(s), // reports, review queue, audit log
    ...userSafetyHandlers(s), // blocks, app-wide and shadow bans, timeouts
  };
}
