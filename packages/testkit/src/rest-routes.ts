import type { ChannelType, EndpointName } from '@chat/protocol';
import * as channels from './channel-ops';
import type { KitContext } from './kit-context';
import { notFound } from './kit-error';
import * as messages from './message-ops';
import { toUser } from './views';

/** One REST call, its input already validated by the endpoint's schemas. */
export interface RestCall {
  ctx: KitContext;
  /** The user of the bearer token. */
  userId: string;
  // The endpoint's own schemas have validated these; each implementation reads its fields.
  // biome-ignore lint/suspicious/noExplicitAny: validated per endpoint by its schema
  params: any;
  // biome-ignore lint/suspicious/noExplicitAny: validated per endpoint by its schema
  query: any;
  // biome-ignore lint/suspicious/noExplicitAny: validated per endpoint by its schema
  body: any;
}

const cidOf = (params: { type: ChannelType; id: string }) => `${params.type}:${params.id}`;

/**
 * The REST endpoints the kit implements: what the SDK's main flows call. Every other endpoint
 * of `@chat/protocol` answers 501 (see `KitError.notSupported`).
 */
export const REST_ROUTES: Partial<Record<EndpointName, (call: RestCall) => unknown>> = {
  getMe: ({ ctx, userId }) => ({ user: toUser(ctx.store, ctx.store.users.get(userId)!) }),
  getUser: ({ ctx, params }) => {
    const user = ctx.store.users.get(params.userId);
    if (!user) throw notFound('User');
    return { user: toUser(ctx.store, user) };
  },
  queryUsers: ({ ctx, query }) => {
    const prefix = (query.q as string | undefined)?.toLowerCase();
    const users = [...ctx.store.users.values()].filter(
      (u) =>
        (!query.ids || query.ids.includes(u.id)) &&
        (!prefix || u.id.toLowerCase().startsWith(prefix) || u.name?.toLowerCase().startsWith(prefix)),
    );
    return { users: users.slice(0, query.limit ?? 25).map((u) => toUser(ctx.store, u)) };
  },

  createChannel: ({ ctx, userId, body }) => channels.createChannel(ctx, userId, body).state,
  queryChannels: ({ ctx, userId, body }) => channels.queryChannels(ctx, userId, body),
  getChannel: ({ ctx, userId, params }) => channels.getChannel(ctx, userId, cidOf(params)),
  listMembers: ({ ctx, userId, params }) => channels.listMembers(ctx, userId, cidOf(params)),

  sendMessage: ({ ctx, userId, params, body }) => ({
    message: messages.sendMessage(ctx, userId, cidOf(params), body).message,
  }),
  listMessages: ({ ctx, userId, params, query }) => messages.listMessages(ctx, userId, cidOf(params), query),
  getMessage: ({ ctx, userId, params }) => ({ message: messages.getMessage(ctx, userId, params.id) }),
  updateMessage: ({ ctx, userId, params, body }) => ({
    message: messages.updateMessage(ctx, userId, params.id, body),
  }),
  deleteMessage: ({ ctx, userId, params }) => ({ message: messages.deleteMessage(ctx, userId, params.id) }),
  listReplies: ({ ctx, userId, params, query }) => messages.listReplies(ctx, userId, params.id, query),
  listReactions: ({ ctx, userId, params, query }) => messages.listReactions(ctx, userId, params.id, query),
  addReaction: ({ ctx, userId, params, body }) => ({
    message: messages.setReaction(ctx, userId, params.id, body.type, true),
  }),
  removeReaction: ({ ctx, userId, params }) => ({
    message: messages.setReaction(ctx, userId, params.id, params.reaction, false),
  }),

  markRead: ({ ctx, userId, params, body }) => ({
    read: [channels.markRead(ctx, userId, cidOf(params), body.message_id)],
  }),
  getReadState: ({ ctx, userId, params }) => channels.getReadState(ctx, userId, cidOf(params)),
  getUnread: ({ ctx, userId }) => channels.getUnread(ctx, userId),
  saveDraft: ({ ctx, userId, params, body }) =>
    channels.saveDraft(ctx, userId, cidOf(params), body.text, body.parent_id),
  getDraft: ({ ctx, userId, params, query }) =>
    channels.getDraft(ctx, userId, cidOf(params), query.parent_id),
  deleteDraft: ({ ctx, userId, params, query }) =>
    channels.deleteDraft(ctx, userId, cidOf(params), query.parent_id),
};
