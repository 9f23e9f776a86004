import { generateKeyPairSync } from 'node:crypto';
import type { ClientFrameType, EndpointName } from '@chat/protocol';
import { type Actor, HOOK_URL, newWebhookSecret, type World } from './world';

/**
 * One valid input per endpoint and per client frame type: the starting point every hostile input
 * is a mutation of. Each uses every field its schema declares that the caller may send, so that
 * mutations reach every field. The records are total: a new endpoint or frame type in the
 * protocol does not compile until it has one here.
 */

export interface RestInput {
  actor: Actor;
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  /** The JSON body; absent for endpoints that take none. */
  body?: unknown;
}

const image = 'https://cdn.example.com/pic.png';
/** A service account's key, as Google hands out (PKCS#8 PEM). */
const serviceAccountKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
/** An APNs .p8 key (P-256, PKCS#8 PEM). */
const apnsKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

export const validRestInputs: { [N in EndpointName]: (w: World) => RestInput } = {
  register: (w) => ({
    actor: 'anonymous',
    params: {},
    query: {},
    body: { username: `reg-${w.next()}`, password: w.account.password, name: 'Reg' },
  }),
  login: (w) => ({
    actor: 'anonymous',
    params: {},
    query: {},
    body: { username: w.account.username, password: w.account.password },
  }),
  refresh: (w) => ({
    actor: 'anonymous',
    params: {},
    query: {},
    body: { refresh_token: w.account.refreshToken },
  }),
  logout: (w) => ({
    actor: 'anonymous',
    params: {},
    query: {},
    body: { refresh_token: w.account.logoutToken },
  }),

  getMe: () => ({ actor: 'alice', params: {}, query: {} }),
  updateMe: () => ({
    actor: 'alice',
    params: {},
    query: {},
    body: { name: 'Alice', image, custom: { mood: 'fine', nested: { list: [1, 'two', null] } } },
  }),
  queryUsers: () => ({ actor: 'alice', params: {}, query: { ids: 'bob,carol', q: 'b', limit: '10' } }),
  getUser: () => ({ actor: 'alice', params: { userId: 'bob' }, query: {} }),
  upsertUsers: (w) => ({
    actor: 'server',
    params: {},
    query: {},
    body: { users: [{ id: `up-${w.next()}`, name: 'Up', image, role: 'user', custom: { plan: 'pro' } }] },
  }),

  createChannel: (w) => ({
    actor: 'alice',
    params: {},
    query: {},
    body: {
      type: 'messaging',
      id: `new-${w.next()}`,
      name: 'New',
      image,
      members: ['bob'],
      custom: { topic: 'fuzz' },
    },
  }),
  queryChannels: () => ({
    actor: 'alice',
    params: {},
    query: {},
    body: {
      // The browse list: the world's public channel, which bob is in and alice is not.
      filter: {
        type: ['messaging', 'livestream'],
        members: ['bob'],
        last_message_at: { gt: '2020-01-01T00:00:00Z', lt: '2100-01-01T00:00:00.000+02:00' },
        frozen: false,
        joinable: true,
      },
      sort: { last_message_at: -1 },
      limit: 5,
      message_limit: 1,
    },
  }),
  getChannel: (w) => onChannel(w, 'getChannel'),
  updateChannel: (w) => ({
    ...onChannel(w, 'updateChannel'),
    body: { name: 'Renamed', image, custom: { topic: 'renamed' } },
  }),
  deleteChannel: (w) => onChannel(w, 'deleteChannel'),
  freezeChannel: (w) => onChannel(w, 'freezeChannel'),
  unfreezeChannel: (w) => onChannel(w, 'unfreezeChannel'),
  truncateChannel: (w) => onChannel(w, 'truncateChannel'),
  // Channel moderation.
  setSlowMode: (w) => ({ ...onChannel(w, 'setSlowMode'), body: { slow_mode_s: 30 } }),
  listPinnedMessages: (w) => ({
    ...onChannel(w, 'listPinnedMessages'),
    query: {
      limit: '10',
      cursor: Buffer.from(
        JSON.stringify({ t: '2100-01-01T00:00:00.000000Z', id: '00000000-0000-4000-8000-000000000000' }),
      ).toString('base64url'),
    },
  }),

  listMembers: (w) => onChannel(w, 'listMembers'),
  addMembers: (w) => ({ ...onChannel(w, 'addMembers'), body: { user_ids: ['carol'] } }),
  removeMembers: (w) => ({ ...onChannel(w, 'removeMembers'), body: { user_ids: ['erin'] } }),
  setMemberRole: (w) => {
    const input = onChannel(w, 'setMemberRole');
    return { ...input, params: { ...input.params, userId: 'bob' }, body: { role: 'moderator' } };
  },
  muteChannel: (w) => onChannel(w, 'muteChannel'),
  unmuteChannel: (w) => onChannel(w, 'unmuteChannel'),
  banMember: (w) => ({
    ...onChannel(w, 'banMember'),
    body: { user_id: 'erin', timeout: 60, reason: 'spam' },
  }),
  unbanMember: (w) => {
    const input = onChannel(w, 'unbanMember');
    return { ...input, params: { ...input.params, userId: 'erin' } };
  },

  sendMessage: (w) => {
    const channel = w.channelOf('sendMessage');
    return {
      ...onChannel(w, 'sendMessage'),
      body: {
        client_msg_id: `msg-${w.next()}`,
        text: 'hello @bob',
        attachments: [
          {
            type: 'image',
            url: image,
            name: 'pic.png',
            mime_type: 'image/png',
            file_size: 1234,
            width: 10,
            height: 20,
            thumb_url: image,
          },
        ],
        parent_id: channel.aliceMessage,
        quoted_message_id: channel.bobMessage,
        mentioned_user_ids: ['bob'],
        custom: { source: 'fuzz', meta: { draft: false } },
      },
    };
  },
  listMessages: (w) => ({
    ...onChannel(w, 'listMessages'),
    query: { before: w.channelOf('listMessages').reply, limit: '10' },
  }),
  getMessage: (w) => onMessage(w, 'getMessage'),
  updateMessage: (w) => ({
    ...onMessage(w, 'updateMessage'),
    body: {
      text: 'edited',
      attachments: [{ type: 'file', url: image, name: 'a.pdf', mime_type: 'application/pdf' }],
      mentioned_user_ids: ['bob'],
      custom: { edited: true },
    },
  }),
  deleteMessage: (w) => onMessage(w, 'deleteMessage'),
  pinMessage: (w) => onMessage(w, 'pinMessage'),
  unpinMessage: (w) => onMessage(w, 'unpinMessage'),
  // `around` here, `before` on listMessages: the cursors exclude each other, so each list takes one.
  listReplies: (w) => ({
    ...onMessage(w, 'listReplies'),
    query: { around: w.channelOf('listReplies').reply, limit: '10' },
  }),
  // A cursor as a page hands out (base64url JSON: a time to the microsecond and a reaction id).
  listReactions: (w) => ({
    ...onMessage(w, 'listReactions'),
    query: {
      type: '👍',
      limit: '10',
      cursor: Buffer.from(
        JSON.stringify({ t: '2100-01-01T00:00:00.000000Z', id: '00000000-0000-4000-8000-000000000000' }),
      ).toString('base64url'),
    },
  }),
  addReaction: (w) => ({ ...onMessage(w, 'addReaction'), body: { type: '👍' } }),
  removeReaction: (w) => {
    const input = onMessage(w, 'removeReaction');
    return { ...input, params: { ...input.params, reaction: '👍' } };
  },
  removeLinkPreview: (w) => ({
    ...onMessage(w, 'removeLinkPreview'),
    query: { url: 'https://example.com/' },
  }),

  markRead: (w) => ({
    ...onChannel(w, 'markRead'),
    body: { message_id: w.channelOf('markRead').bobMessage },
  }),
  getReadState: (w) => onChannel(w, 'getReadState'),
  getUnread: () => ({ actor: 'alice', params: {}, query: {} }),

  saveDraft: (w) => ({
    ...onChannel(w, 'saveDraft'),
    body: { text: 'a draft', parent_id: w.channelOf('saveDraft').aliceMessage },
  }),
  getDraft: (w) => ({
    ...onChannel(w, 'getDraft'),
    query: { parent_id: w.channelOf('getDraft').aliceMessage },
  }),
  deleteDraft: (w) => ({
    ...onChannel(w, 'deleteDraft'),
    query: { parent_id: w.channelOf('deleteDraft').aliceMessage },
  }),

  search: (w) => ({
    actor: 'alice',
    params: {},
    query: { query: 'hello', cid: w.channelOf('search').cid, limit: '10' },
  }),

  // Webhooks are managed by the app's backend. What a valid input creates or changes stays
  // disabled and subscribed to rare events, so that the suite's own traffic is not delivered.
  registerDevice: (w) => ({
    actor: 'alice',
    params: {},
    query: {},
    body: {
      provider: 'web',
      subscription: {
        endpoint: `https://push.example.com/send/${w.next()}`,
        expirationTime: null,
        keys: { p256dh: `B${'A'.repeat(86)}`, auth: 'A'.repeat(22) },
      },
      name: 'Firefox',
    },
  }),
  listDevices: () => ({ actor: 'alice', params: {}, query: {} }),
  deleteDevice: (w) => ({ actor: 'alice', params: { deviceId: w.device }, query: {} }),
  createUpload: (w) => ({
    actor: 'alice',
    params: {},
    query: {},
    body: { name: `photo-${w.next()}.jpg`, type: 'image/jpeg', size: 2_048 },
  }),
  completeUpload: (w) => ({ actor: 'alice', params: { uploadId: w.uploads.ready }, query: {} }),
  getUpload: (w) => ({ actor: 'alice', params: { uploadId: w.uploads.ready }, query: {} }),
  deleteUpload: (w) => ({ actor: 'alice', params: { uploadId: w.uploads.disposable }, query: {} }),
  createResumableUpload: (w) => ({
    actor: 'alice',
    params: {},
    query: {},
    body: { name: `video-${w.next()}.mp4`, type: 'video/mp4', size: 20 * 1024 * 1024 },
  }),
  signUploadParts: (w) => ({
    actor: 'alice',
    params: { uploadId: w.uploads.resumable },
    query: {},
    body: { part_numbers: [1, 2] },
  }),
  listUploadParts: (w) => ({ actor: 'alice', params: { uploadId: w.uploads.resumable }, query: {} }),
  recordUploadPart: (w) => ({
    actor: 'alice',
    params: { uploadId: w.uploads.resumable, partNumber: '1' },
    query: {},
    body: w.uploads.resumablePart,
  }),
  getPushConfig: () => ({ actor: 'alice', params: {}, query: {} }),
  getPushPreferences: () => ({ actor: 'alice', params: {}, query: {} }),
  setPushPreferences: (w) => ({
    actor: 'alice',
    params: {},
    query: {},
    body: {
      level: 'mentions',
      dnd_until: '2030-01-01T00:00:00.000Z',
      channels: [{ cid: w.channelOf('setPushPreferences').cid, level: 'all' }],
    },
  }),
  getPushSettings: () => ({ actor: 'server', params: {}, query: {} }),
  setPushSettings: () => ({
    actor: 'server',
    params: {},
    query: {},
    body: { title_template: '{{sender}} in {{channel}}', body_template: '{{text}}', include_content: true },
  }),
  getPushStats: () => ({ actor: 'server', params: {}, query: { days: '7' } }),
  getUploadPolicy: () => ({ actor: 'server', params: {}, query: {} }),
  setUploadPolicy: () => ({
    actor: 'server',
    params: {},
    query: {},
    body: {
      max_bytes: 50 * 1024 * 1024,
      blocked_types: ['image/svg+xml', 'text/html'],
      uploads_per_minute: 20,
    },
  }),
  listMutedUsers: () => ({ actor: 'alice', params: {}, query: {} }),
  muteUser: () => ({ actor: 'alice', params: { userId: 'bob' }, query: {} }),
  unmuteUser: () => ({ actor: 'alice', params: { userId: 'bob' }, query: {} }),
  // User safety: blocks are a user's; bans and timeouts the backend's (or an app admin's).
  listBlockedUsers: () => ({ actor: 'alice', params: {}, query: {} }),
  blockUser: () => ({ actor: 'alice', params: { userId: 'bob' }, query: {} }),
  unblockUser: () => ({ actor: 'alice', params: { userId: 'bob' }, query: {} }),
  getUserStanding: () => ({ actor: 'server', params: { userId: 'bob' }, query: {} }),
  banUserFromApp: () => ({
    actor: 'server',
    params: { userId: 'bob' },
    query: {},
    body: { timeout: 60, reason: 'spam', shadow: false },
  }),
  unbanUserFromApp: () => ({ actor: 'server', params: { userId: 'bob' }, query: { shadow: 'false' } }),
  timeOutUser: () => ({ actor: 'server', params: { userId: 'bob' }, query: {}, body: { timeout: 60 } }),
  endUserTimeout: () => ({ actor: 'server', params: { userId: 'bob' }, query: {} }),
  // Reports, the review queue and the audit log: alice admins her channels, so she
  // reviews their items; the audit log is the backend's (or an app admin's).
  reportMessage: (w) => ({
    actor: 'alice',
    params: { id: w.channelOf('reportMessage').bobMessage },
    query: {},
    body: { reason: 'spam', note: 'Sells watches' },
  }),
  reportUser: () => ({
    actor: 'alice',
    params: { userId: 'dave' },
    query: {},
    body: { reason: 'harassment', note: 'Rude' },
  }),
  listReviewItems: (w) => ({
    actor: 'alice',
    params: {},
    query: {
      status: 'pending',
      cid: w.channelOf('listReviewItems').cid,
      target_kind: 'message',
      assignee: 'alice',
      limit: '10',
    },
  }),
  getReviewItem: (w) => ({ actor: 'alice', params: { itemId: w.reviewItem }, query: {} }),
  assignReviewItem: (w) => ({
    actor: 'alice',
    params: { itemId: w.reviewItem },
    query: {},
    body: { user_id: 'alice' },
  }),
  actOnReviewItem: (w) => ({
    actor: 'alice',
    params: { itemId: w.reviewItem },
    query: {},
    body: { action: 'dismiss', reason: 'Fine' },
  }),
  listModerationAudit: () => ({
    actor: 'server',
    params: {},
    query: {
      action: 'report.dismissed',
      actor: 'alice',
      target_user_id: 'bob',
      cid: 'messaging:own-shared',
      since: '2020-01-01T00:00:00.000Z',
      until: '2100-01-01T00:00:00.000Z',
      limit: '10',
    },
  }),
  setWebPush: () => ({
    actor: 'server',
    params: {},
    query: {},
    body: {
      subject: 'mailto:ops@example.com',
      vapid_public_key: `B${'A'.repeat(86)}`,
      vapid_private_key: 'A'.repeat(43),
    },
  }),
  deleteWebPush: () => ({ actor: 'server', params: {}, query: {} }),
  setFcmPush: () => ({
    actor: 'server',
    params: {},
    query: {},
    body: {
      service_account: {
        type: 'service_account',
        project_id: 'chat-fuzz',
        client_email: 'push@chat-fuzz.iam.gserviceaccount.com',
        private_key_id: 'k1',
        private_key: serviceAccountKey,
        token_uri: 'https://oauth2.example.com/token',
      },
      base_url: 'https://fcm.example.com',
    },
  }),
  deleteFcmPush: () => ({ actor: 'server', params: {}, query: {} }),
  setApnsPush: () => ({
    actor: 'server',
    params: {},
    query: {},
    body: {
      key: apnsKey,
      key_id: 'ABC123DEFG',
      team_id: 'DEF123GHIJ',
      bundle_id: 'com.example.chat',
      production_url: 'https://apns.example.com',
      sandbox_url: 'https://apns-sandbox.example.com',
    },
  }),
  deleteApnsPush: () => ({ actor: 'server', params: {}, query: {} }),
  createWebhook: (w) => ({
    actor: 'server',
    params: {},
    query: {},
    body: {
      name: `Hook ${w.next()}`,
      url: `${HOOK_URL}/new?via=fuzz`,
      events: ['channel.created', 'channel.deleted'],
      enabled: false,
      secret: newWebhookSecret(),
    },
  }),
  listWebhooks: () => ({ actor: 'server', params: {}, query: {} }),
  getWebhook: (w) => onWebhook(w, 'getWebhook'),
  updateWebhook: (w) => ({
    ...onWebhook(w, 'updateWebhook'),
    body: {
      name: 'Renamed hook',
      url: `${HOOK_URL}/renamed`,
      events: ['channel.deleted', 'channel.truncated'],
      enabled: false,
    },
  }),
  deleteWebhook: (w) => onWebhook(w, 'deleteWebhook'),
  rotateWebhookSecret: (w) => ({
    ...onWebhook(w, 'rotateWebhookSecret'),
    body: { secret: newWebhookSecret(), previous_secret_ttl_s: 3600 },
  }),
  listWebhookDeliveries: (w) => ({
    ...onWebhook(w, 'listWebhookDeliveries'),
    query: { state: 'pending', before: w.deliveries.newer, limit: '10' },
  }),
  replayWebhookDelivery: (w) => {
    const input = onWebhook(w, 'replayWebhookDelivery');
    return { ...input, params: { ...input.params, deliveryId: w.deliveries.older } };
  },
  replayWebhookEvents: (w) => ({
    ...onWebhook(w, 'replayWebhookEvents'),
    body: { since: w.replayRange.since, until: w.replayRange.until },
  }),
  getBeforeSendHook: () => ({ actor: 'server', params: {}, query: {} }),
  setBeforeSendHook: () => ({
    actor: 'server',
    params: {},
    query: {},
    // Disabled: sends of the suite never wait for it (with `allow`, they would not fail either).
    body: {
      url: `${HOOK_URL}/before-send`,
      timeout_ms: 250,
      on_failure: 'allow',
      enabled: false,
      secret: newWebhookSecret(),
    },
  }),
  deleteBeforeSendHook: () => ({ actor: 'server', params: {}, query: {} }),
  // Blocklists: every list stays inactive, so no send of the suite is blocked or masked.
  createBlocklist: (w) => ({
    actor: 'server',
    params: {},
    query: {},
    body: {
      name: `List ${w.next()}`,
      kind: 'word',
      mode: 'mask',
      is_active: false,
      entries: ['zzquux', 'yyquux'],
    },
  }),
  listBlocklists: () => ({ actor: 'server', params: {}, query: {} }),
  getBlocklist: (w) => onBlocklist(w, 'getBlocklist'),
  updateBlocklist: (w) => ({
    ...onBlocklist(w, 'updateBlocklist'),
    body: { mode: 'flag', reason: 'Checked', is_active: false, entries: ['zzquux'] },
  }),
  deleteBlocklist: (w) => onBlocklist(w, 'deleteBlocklist'),
  changeBlocklistEntries: (w) => ({
    ...onBlocklist(w, 'changeBlocklistEntries'),
    body: { add: ['xxquux'], remove: ['yyquux'] },
  }),
};

function onBlocklist(w: World, owner: EndpointName): RestInput {
  return { actor: 'server', params: { blocklistId: w.blocklistOf(owner) }, query: {} };
}

function onWebhook(w: World, owner: EndpointName): RestInput {
  return { actor: 'server', params: { webhookId: w.webhookOf(owner) }, query: {} };
}

function onChannel(w: World, owner: EndpointName): RestInput {
  const { type, id } = w.channelOf(owner);
  return { actor: 'alice', params: { type, id }, query: {} };
}

function onMessage(w: World, owner: EndpointName): RestInput {
  return { actor: 'alice', params: { id: w.channelOf(owner).aliceMessage }, query: {} };
}

export type Frame = Record<string, unknown>;

export const validFrames: { [T in ClientFrameType]: (w: World, id: string) => Frame } = {
  auth: (w, id) => ({ type: 'auth', id, token: w.tokens.alice }),
  'channel.watch': (w, id) => ({
    type: 'channel.watch',
    id,
    cid: w.channelOf('channel.watch').cid,
    since: 1,
    message_limit: 5,
  }),
  'channel.unwatch': (w, id) => ({ type: 'channel.unwatch', id, cid: w.channelOf('channel.unwatch').cid }),
  'message.send': (w, id) => {
    const channel = w.channelOf('message.send');
    return {
      type: 'message.send',
      id,
      cid: channel.cid,
      message: {
        client_msg_id: `ws-${w.next()}`,
        text: 'hello over the socket',
        attachments: [{ type: 'video', url: image, thumb_url: image, width: 640, height: 480 }],
        parent_id: channel.aliceMessage,
        quoted_message_id: channel.bobMessage,
        mentioned_user_ids: ['bob'],
        custom: { via: 'socket' },
      },
    };
  },
  'message.update': (w, id) => ({
    type: 'message.update',
    id,
    message_id: w.channelOf('message.update').aliceMessage,
    message: { text: 'edited over the socket', mentioned_user_ids: ['erin'], custom: { v: 2 } },
  }),
  'message.delete': (w, id) => ({
    type: 'message.delete',
    id,
    message_id: w.channelOf('message.delete').aliceMessage,
  }),
  'reaction.add': (w, id) => ({
    type: 'reaction.add',
    id,
    message_id: w.channelOf('reaction.add').bobMessage,
    reaction_type: '🎉',
  }),
  'reaction.remove': (w, id) => ({
    type: 'reaction.remove',
    id,
    message_id: w.channelOf('reaction.remove').bobMessage,
    reaction_type: '🎉',
  }),
  'typing.start': (w, id) => {
    const channel = w.channelOf('typing.start');
    return { type: 'typing.start', id, cid: channel.cid, parent_id: channel.aliceMessage };
  },
  'typing.stop': (w, id) => {
    const channel = w.channelOf('typing.stop');
    return { type: 'typing.stop', id, cid: channel.cid, parent_id: channel.aliceMessage };
  },
  'read.mark': (w, id) => {
    const channel = w.channelOf('read.mark');
    return { type: 'read.mark', id, cid: channel.cid, message_id: channel.bobMessage };
  },
  ping: (_w, id) => ({ type: 'ping', id }),
};
