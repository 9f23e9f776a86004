import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  alice,
  channel,
  channelState,
  draft,
  expectRejectedAt,
  member,
  message,
  readState,
  roundTrip,
  unread,
  uuid,
} from './fixtures';
import { LIMITS } from './limits';
import { type EndpointName, endpoints } from './rest/endpoints';
import { validateInput } from './wire';

type Def<N extends EndpointName> = (typeof endpoints)[N];
type Part = 'params' | 'query' | 'body';
/**
 * A sample request and response of one endpoint: exactly the parts the endpoint has a schema
 * for, each typed as that schema's input. The type checker thus proves the table is covered.
 */
type Sample<N extends EndpointName> = {
  [K in Part as Def<N> extends Record<K, z.ZodType> ? K : never]: Def<N> extends Record<
    K,
    infer S extends z.ZodType
  >
    ? z.input<S>
    : never;
} & { response: z.output<Def<N>['response']> };

const msgId = uuid();
const channelParams = { type: 'messaging', id: 'general' } as const;
const tokens = {
  access_token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln',
  refresh_token: 'rt_3f9a2b7c4d5e6f708192a3b4c5d6e7f8',
  expires_in: 900,
  user: alice,
};
const members = { members: [member] };
const one = { message };
const page = { messages: [message], has_more: true };
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const hook = {
  id: uuid(),
  name: 'Moderation backend',
  url: 'https://hooks.example.com/chat',
  events: ['message.new' as const],
  enabled: true,
  disabled_reason: null,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
};
const delivery = {
  id: uuid(),
  webhook_id: hook.id,
  message_id: 'msg_2b5c7e1d9a8f4b3c6d0e1f2a3b4c5d6e',
  event_id: `${uuid()}:12`,
  event_type: 'message.new' as const,
  state: 'delivered' as const,
  attempts: 1,
  last_status: 204,
  last_latency_ms: 31,
  last_error: null,
  replay_of: null,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:01.000Z',
  delivered_at: '2026-01-01T00:00:01.000Z',
};
const beforeSend = {
  url: 'https://hooks.example.com/before-send',
  timeout_ms: 1500,
  on_failure: 'reject' as const,
  enabled: true,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
};

const webDevice = {
  id: uuid(),
  provider: 'web' as const,
  token: 'https://fcm.googleapis.com/fcm/send/dGVzdA:APA91bH',
  environment: null,
  name: 'Firefox on a laptop',
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
};
const webKeys = { p256dh: `B${'A'.repeat(86)}`, auth: 'A'.repeat(22) };

const pendingUpload = {
  id: uuid(),
  state: 'pending' as const,
  name: 'beach.jpg',
  mime_type: 'image/jpeg',
  kind: null,
  size: 2_048_000,
  width: null,
  height: null,
  duration_ms: null,
  url: null,
  placeholder: null,
  thumbnails: [],
  refusal: null,
  created_at: '2026-01-01T00:00:00.000Z',
};
const readyUpload = {
  ...pendingUpload,
  state: 'ready' as const,
  kind: 'image' as const,
  width: 4032,
  height: 3024,
  url: 'https://chat.example/v1/files/abc?expires=1&signature=x',
  placeholder: 'HBkSHYSIeHiPiHh8eJd4eTN0EEQG',
  thumbnails: [{ url: '/v1/storage/file?token=t', width: 360, height: 270 }],
};

const defaultUploadPolicy = {
  max_bytes: 104_857_600,
  max_bytes_ceiling: 2_147_483_648,
  allowed_types: null,
  blocked_types: ['image/svg+xml', 'text/html'],
  max_image_pixels: 64_000_000,
  uploads_per_minute: 30,
  updated_at: null,
};

// Blocklists.
const sampleBlocklist = {
  id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  name: 'Slurs',
  kind: 'word' as const,
  mode: 'block' as const,
  reason: 'Mind your language',
  is_active: true,
  entry_count: 1,
  entries: ['badword'],
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
};
const blocklistSummaryOf = ({ entries: _, ...summary }: typeof sampleBlocklist) => summary;

// User safety.
const sampleStanding = {
  user_id: 'carol',
  banned: false,
  ban_expires_at: null,
  ban_reason: null,
  shadow_banned: false,
  timed_out_until: null,
  timeout_reason: null,
};

// Reports, the review queue and the audit log.
const sampleOwnReport = {
  id: uuid(),
  target_kind: 'message' as const,
  message_id: msgId,
  user_id: null,
  reason: 'spam' as const,
  note: 'Sells watches',
  created_at: '2026-01-01T00:00:00.000Z',
};
const sampleReport = {
  id: uuid(),
  source: 'user' as const,
  reporter: { id: 'bob', name: 'Bob', image: null, online: false },
  reason: 'spam',
  note: null,
  details: {},
  created_at: '2026-01-01T00:00:00.000Z',
};
const sampleReviewItem = {
  id: uuid(),
  target_kind: 'message' as const,
  message: {
    id: msgId,
    text: 'Cheap watches',
    type: 'regular',
    deleted: false,
    removed_by_moderator: false,
    parent_id: null,
    created_at: '2026-01-01T00:00:00.000Z',
  },
  user: { id: 'carol', name: 'Carol', image: null, online: false },
  cid: 'team:general',
  status: 'pending' as const,
  report_count: 1,
  reasons: ['spam'],
  sources: ['user' as const],
  first_reported_at: '2026-01-01T00:00:00.000Z',
  last_reported_at: '2026-01-01T00:00:00.000Z',
  assignee: null,
  resolution: null,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
};
const sampleAuditEntry = {
  id: uuid(),
  action: 'message.deleted',
  actor: { user_id: 'alice', server: false },
  target_user_id: 'carol',
  message_id: msgId,
  cid: 'team:general',
  reason: 'Spam',
  details: { review_item_id: sampleReviewItem.id },
  created_at: '2026-01-01T00:00:00.000Z',
};

const samples: { [N in EndpointName]: Sample<N> } = {
  register: {
    body: { username: 'alice', password: 'correct horse battery staple', name: 'Alice Liddell' },
    response: tokens,
  },
  login: { body: { username: 'alice', password: 'correct horse battery staple' }, response: tokens },
  refresh: { body: { refresh_token: tokens.refresh_token }, response: tokens },
  logout: { body: { refresh_token: tokens.refresh_token }, response: { ok: true } },
  getMe: { response: { user: alice } },
  updateMe: {
    body: { name: 'Alice L.', image: null, custom: { status: { emoji: '🏖️', text: 'On holiday' } } },
    response: { user: alice },
  },
  queryUsers: {
    query: { ids: 'alice,bob.smith@example', q: 'Al', limit: '20' },
    response: { users: [alice] },
  },
  getUser: { params: { userId: 'bob.smith@example' }, response: { user: alice } },
  upsertUsers: {
    body: {
      users: [
        {
          id: 'alice',
          name: 'Alice',
          image: 'https://cdn.example.com/a.png',
          role: 'admin',
          custom: { plan: 'pro' },
        },
        { id: 'bob' },
      ],
    },
    response: { users: [alice] },
  },
  createChannel: {
    body: {
      type: 'team',
      id: 'eng-platform',
      name: 'Platform',
      image: 'https://cdn.example.com/channels/platform.png',
      members: ['alice', 'bob'],
      custom: { jira: 'PLAT' },
      created_by_id: 'alice',
    },
    response: channelState,
  },
  queryChannels: {
    body: {
      filter: {
        type: ['messaging', 'team'],
        members: ['alice'],
        last_message_at: { gt: '2025-01-01T00:00:00.000Z', lt: new Date().toISOString() },
        frozen: false,
      },
      sort: { last_message_at: -1 },
      limit: 30,
      message_limit: 0,
      cursor: 'eyJvZmZzZXQiOjMwfQ',
    },
    response: { channels: [channelState], next_cursor: null },
  },
  getChannel: { params: channelParams, response: channelState },
  updateChannel: {
    params: channelParams,
    body: { name: 'General chat', image: null, custom: { topic: 'Anything' } },
    response: { channel },
  },
  deleteChannel: { params: channelParams, response: { channel } },
  freezeChannel: { params: channelParams, response: { channel: { ...channel, frozen: true } } },
  unfreezeChannel: { params: channelParams, response: { channel } },
  truncateChannel: { params: channelParams, response: { channel } },
  // Channel moderation.
  setSlowMode: {
    params: channelParams,
    body: { slow_mode_s: 30 },
    response: { channel: { ...channel, slow_mode_s: 30 } },
  },
  listPinnedMessages: {
    params: channelParams,
    query: { limit: '10', cursor: 'eyJ0IjoiMjAyNi0wMS0wMSJ9' },
    response: {
      messages: [{ ...message, pinned: true, pinned_at: '2026-01-01T00:00:00.000Z', pinned_by: 'alice' }],
      next_cursor: null,
    },
  },
  listMembers: { params: channelParams, response: members },
  addMembers: { params: channelParams, body: { user_ids: ['carol', 'dave'] }, response: members },
  removeMembers: { params: channelParams, body: { user_ids: ['dave'] }, response: members },
  setMemberRole: {
    params: { ...channelParams, userId: 'bob' },
    body: { role: 'moderator' },
    response: members,
  },
  muteChannel: { params: channelParams, response: members },
  unmuteChannel: { params: channelParams, response: members },
  banMember: {
    params: channelParams,
    body: { user_id: 'mallory', timeout: 3600, reason: 'Spam links' },
    response: members,
  },
  unbanMember: { params: { ...channelParams, userId: 'mallory' }, response: members },
  sendMessage: {
    params: channelParams,
    body: {
      client_msg_id: `srv-${uuid()}`,
      text: 'Deploy finished ✅',
      attachments: [{ type: 'image', url: 'https://cdn.example.com/graph.png', width: 800, height: 600 }],
      parent_id: msgId,
      quoted_message_id: uuid(),
      mentioned_user_ids: ['alice'],
      custom: { build: 1234 },
      user_id: 'ci-bot',
    },
    response: one,
  },
  listMessages: { params: channelParams, query: { before: msgId, limit: '50' }, response: page },
  getMessage: { params: { id: msgId }, response: one },
  updateMessage: {
    params: { id: msgId },
    body: { text: 'Deploy finished ✅ (v2)', attachments: [] },
    response: one,
  },
  deleteMessage: { params: { id: msgId }, response: one },
  pinMessage: { params: { id: msgId }, response: one },
  unpinMessage: { params: { id: msgId }, response: one },
  listReplies: { params: { id: msgId }, query: { after: uuid() }, response: page },
  listReactions: {
    params: { id: msgId },
    query: { type: '🔥', limit: '10', cursor: 'eyJ0IjoiMjAyNi0wMS0wMSJ9' },
    response: {
      reactions: [{ type: '🔥', user: message.user, created_at: '2026-01-01T00:00:00.000Z' }],
      next_cursor: 'next',
    },
  },
  addReaction: { params: { id: msgId }, body: { type: '🔥' }, response: one },
  removeReaction: { params: { id: msgId, reaction: 'thumbs_up' }, response: one },
  removeLinkPreview: {
    params: { id: msgId },
    query: { url: 'https://news.example.com/a?b=1#c' },
    response: {
      message: {
        ...message,
        link_previews: [
          {
            url: 'https://blog.example.org/post',
            title: 'A post',
            description: null,
            site_name: 'Blog',
            image_url: 'https://blog.example.org/cover.png',
          },
        ],
      },
    },
  },
  markRead: { params: channelParams, body: { message_id: msgId }, response: { read: [readState] } },
  getReadState: { params: channelParams, response: { read: [readState] } },
  getUnread: { response: unread },
  saveDraft: { params: channelParams, body: { text: 'Draft reply', parent_id: msgId }, response: { draft } },
  getDraft: { params: channelParams, query: { parent_id: msgId }, response: { draft } },
  deleteDraft: { params: channelParams, query: {}, response: { draft: null } },
  search: {
    query: { query: 'deploy', cid: 'messaging:general', limit: '10', cursor: 'abc' },
    response: { results: [{ message }], next_cursor: 'next' },
  },

  createUpload: {
    body: { name: 'beach.jpg', type: 'image/jpeg', size: 2_048_000 },
    response: {
      upload: pendingUpload,
      target: {
        method: 'PUT',
        url: 'https://chat.example/v1/uploads/abc/content?expires=1&signature=x',
        fields: {},
        headers: { 'content-type': 'image/jpeg' },
        expires_at: '2026-01-01T00:15:00.000Z',
      },
    },
  },
  completeUpload: { params: { uploadId: pendingUpload.id }, response: { upload: readyUpload } },
  getUpload: { params: { uploadId: pendingUpload.id }, response: { upload: readyUpload } },
  deleteUpload: { params: { uploadId: pendingUpload.id }, response: { ok: true } },
  createResumableUpload: {
    body: { name: 'trip.mp4', type: 'video/mp4', size: 209_715_200 },
    response: {
      upload: { ...pendingUpload, name: 'trip.mp4', mime_type: 'video/mp4', size: 209_715_200 },
      multipart: { part_size: 8_388_608, part_count: 25, expires_at: '2026-01-02T00:00:00.000Z' },
    },
  },
  signUploadParts: {
    params: { uploadId: pendingUpload.id },
    body: { part_numbers: [1, 2, 25] },
    response: {
      parts: [
        {
          part_number: 1,
          method: 'PUT',
          url: 'https://bucket.s3.example/a/original?partNumber=1&uploadId=x&X-Amz-Signature=s',
          headers: {},
          expires_at: '2026-01-01T00:15:00.000Z',
        },
      ],
    },
  },
  listUploadParts: {
    params: { uploadId: pendingUpload.id },
    response: {
      part_size: 8_388_608,
      part_count: 25,
      parts: [{ part_number: 1, size: 8_388_608, etag: '"9e107d9d372bb6826bd81d3542a419d6"' }],
    },
  },
  recordUploadPart: {
    params: { uploadId: pendingUpload.id, partNumber: 1 },
    body: { etag: '"9e107d9d372bb6826bd81d3542a419d6"', size: 8_388_608 },
    response: { part: { part_number: 1, size: 8_388_608, etag: '"9e107d9d372bb6826bd81d3542a419d6"' } },
  },
  getUploadPolicy: { response: { policy: defaultUploadPolicy } },
  setUploadPolicy: {
    body: { max_bytes: 10_485_760, allowed_types: ['image/*', 'application/pdf'], uploads_per_minute: 10 },
    response: {
      policy: {
        ...defaultUploadPolicy,
        max_bytes: 10_485_760,
        allowed_types: ['image/*', 'application/pdf'],
        uploads_per_minute: 10,
        updated_at: '2026-01-01T00:00:00.000Z',
      },
    },
  },
  registerDevice: {
    body: {
      provider: 'web',
      subscription: { endpoint: webDevice.token, expirationTime: null, keys: webKeys },
      name: webDevice.name,
    },
    response: { device: webDevice },
  },
  listDevices: { response: { devices: [webDevice] } },
  deleteDevice: { params: { deviceId: webDevice.id }, response: { ok: true } },
  getPushConfig: { response: { web: { vapid_public_key: webKeys.p256dh } } },
  getPushPreferences: { response: { preferences: { level: 'all', dnd_until: null, channels: [] } } },
  getPushSettings: {
    response: {
      settings: {
        title_template: '{{sender}}',
        body_template: '{{text}}',
        include_content: true,
        updated_at: null,
      },
    },
  },
  setPushSettings: {
    body: { title_template: '{{sender}} in {{channel}}', include_content: false },
    response: {
      settings: {
        title_template: '{{sender}} in {{channel}}',
        body_template: '{{text}}',
        include_content: false,
        updated_at: '2026-01-01T00:00:00.000Z',
      },
    },
  },
  getPushStats: {
    query: { days: 7 },
    response: {
      days: [{ day: '2026-01-01', sent: 10, failed: 1, removed: 2 }],
      total: { sent: 10, failed: 1, removed: 2 },
    },
  },
  listMutedUsers: {
    response: {
      mutes: [
        {
          user: { id: 'bob', name: 'Bob', image: null, online: false },
          created_at: '2026-01-01T00:00:00.000Z',
        },
      ],
    },
  },
  muteUser: {
    params: { userId: 'bob' },
    response: {
      mute: {
        user: { id: 'bob', name: 'Bob', image: null, online: false },
        created_at: '2026-01-01T00:00:00.000Z',
      },
    },
  },
  unmuteUser: { params: { userId: 'bob' }, response: { ok: true } },
  // Reports, the review queue and the audit log.
  reportMessage: {
    params: { id: msgId },
    body: { reason: 'spam', note: 'Sells watches' },
    response: { report: sampleOwnReport },
  },
  reportUser: {
    params: { userId: 'carol' },
    body: { reason: 'harassment' },
    response: { report: { ...sampleOwnReport, target_kind: 'user', message_id: null, user_id: 'carol' } },
  },
  listReviewItems: {
    query: { status: 'pending', cid: 'team:general', target_kind: 'message', assignee: 'none', limit: '10' },
    response: { items: [sampleReviewItem], next_cursor: null },
  },
  getReviewItem: {
    params: { itemId: uuid() },
    response: { item: sampleReviewItem, reports: [sampleReport] },
  },
  assignReviewItem: {
    params: { itemId: uuid() },
    body: { user_id: 'alice' },
    response: { item: sampleReviewItem, reports: [sampleReport] },
  },
  actOnReviewItem: {
    params: { itemId: uuid() },
    body: { action: 'ban_from_channel', reason: 'Spam', expires_at: '2026-02-01T00:00:00.000Z' },
    response: { item: sampleReviewItem, reports: [sampleReport] },
  },
  listModerationAudit: {
    query: { action: 'message.deleted', actor: 'alice', since: '2026-01-01T00:00:00.000Z', limit: '10' },
    response: { entries: [sampleAuditEntry], next_cursor: null },
  },
  // User safety.
  listBlockedUsers: {
    response: {
      blocks: [
        {
          user: { id: 'bob', name: 'Bob', image: null, online: false },
          created_at: '2026-01-01T00:00:00.000Z',
        },
      ],
    },
  },
  blockUser: {
    params: { userId: 'bob' },
    response: {
      block: {
        user: { id: 'bob', name: 'Bob', image: null, online: false },
        created_at: '2026-01-01T00:00:00.000Z',
      },
    },
  },
  unblockUser: { params: { userId: 'bob' }, response: { ok: true } },
  getUserStanding: { params: { userId: 'carol' }, response: { standing: sampleStanding } },
  banUserFromApp: {
    params: { userId: 'carol' },
    body: { timeout: 3600, reason: 'spam', shadow: false },
    response: { standing: { ...sampleStanding, banned: true, ban_expires_at: '2026-01-01T01:00:00.000Z' } },
  },
  unbanUserFromApp: {
    params: { userId: 'carol' },
    query: { shadow: 'true' },
    response: { standing: sampleStanding },
  },
  timeOutUser: {
    params: { userId: 'carol' },
    body: { timeout: 600 },
    response: { standing: { ...sampleStanding, timed_out_until: '2026-01-01T00:10:00.000Z' } },
  },
  endUserTimeout: { params: { userId: 'carol' }, response: { standing: sampleStanding } },
  // Blocklists.
  createBlocklist: {
    body: { name: 'Slurs', kind: 'word', mode: 'block', reason: 'Mind your language', entries: ['badword'] },
    response: { blocklist: sampleBlocklist },
  },
  listBlocklists: { response: { blocklists: [blocklistSummaryOf(sampleBlocklist)] } },
  getBlocklist: { params: { blocklistId: sampleBlocklist.id }, response: { blocklist: sampleBlocklist } },
  updateBlocklist: {
    params: { blocklistId: sampleBlocklist.id },
    body: { mode: 'mask', entries: ['badword', 'worse'] },
    response: { blocklist: sampleBlocklist },
  },
  deleteBlocklist: { params: { blocklistId: sampleBlocklist.id }, response: { ok: true } },
  changeBlocklistEntries: {
    params: { blocklistId: sampleBlocklist.id },
    body: { add: ['worse'], remove: ['badword'] },
    response: { blocklist: sampleBlocklist },
  },
  setPushPreferences: {
    body: {
      level: 'mentions',
      dnd_until: '2026-01-01T22:00:00.000Z',
      channels: [{ cid: 'messaging:general', level: 'all' }],
    },
    response: {
      preferences: {
        level: 'mentions',
        dnd_until: '2026-01-01T22:00:00.000Z',
        channels: [{ cid: 'messaging:general', level: 'all' }],
      },
    },
  },
  setWebPush: {
    body: { subject: 'mailto:ops@example.com' },
    response: {
      web: {
        subject: 'mailto:ops@example.com',
        vapid_public_key: webKeys.p256dh,
        updated_at: webDevice.updated_at,
      },
    },
  },
  deleteWebPush: { response: { ok: true } },
  setFcmPush: {
    body: {
      service_account: {
        type: 'service_account',
        project_id: 'chat-demo',
        client_email: 'push@chat-demo.iam.gserviceaccount.com',
        private_key: '-----BEGIN PRIVATE KEY-----\nMIIE…\n-----END PRIVATE KEY-----\n',
      },
    },
    response: {
      fcm: {
        project_id: 'chat-demo',
        client_email: 'push@chat-demo.iam.gserviceaccount.com',
        base_url: 'https://fcm.googleapis.com',
        updated_at: webDevice.updated_at,
      },
    },
  },
  deleteFcmPush: { response: { ok: true } },
  setApnsPush: {
    body: {
      key: '-----BEGIN PRIVATE KEY-----\nMIGT…\n-----END PRIVATE KEY-----\n',
      key_id: 'ABC123DEFG',
      team_id: 'DEF123GHIJ',
      bundle_id: 'com.example.chat',
    },
    response: {
      apns: {
        key_id: 'ABC123DEFG',
        team_id: 'DEF123GHIJ',
        bundle_id: 'com.example.chat',
        production_url: 'https://api.push.apple.com',
        sandbox_url: 'https://api.sandbox.push.apple.com',
        updated_at: webDevice.updated_at,
      },
    },
  },
  deleteApnsPush: { response: { ok: true } },
  createWebhook: {
    body: {
      name: 'Moderation backend',
      url: 'https://hooks.example.com/chat',
      events: ['message.new', 'message.updated'],
      secret,
    },
    response: { webhook: hook, secret },
  },
  listWebhooks: { response: { webhooks: [hook] } },
  getWebhook: { params: { webhookId: hook.id }, response: { webhook: hook } },
  updateWebhook: { params: { webhookId: hook.id }, body: { enabled: true }, response: { webhook: hook } },
  deleteWebhook: { params: { webhookId: hook.id }, response: { ok: true } },
  rotateWebhookSecret: {
    params: { webhookId: hook.id },
    body: { previous_secret_ttl_s: 3600 },
    response: { webhook: hook, secret },
  },
  listWebhookDeliveries: {
    params: { webhookId: hook.id },
    query: { state: 'failed', limit: '10' },
    response: { deliveries: [delivery] },
  },
  replayWebhookDelivery: {
    params: { webhookId: hook.id, deliveryId: delivery.id },
    response: { delivery },
  },
  replayWebhookEvents: {
    params: { webhookId: hook.id },
    body: { since: '2026-01-01T00:00:00.000Z', until: '2026-01-02T00:00:00.000Z' },
    response: { queued: 12, next_since: null },
  },
  getBeforeSendHook: { response: { hook: beforeSend } },
  setBeforeSendHook: {
    body: { url: 'https://hooks.example.com/before-send', timeout_ms: 1500, on_failure: 'reject' },
    response: { hook: beforeSend, secret },
  },
  deleteBeforeSendHook: { response: { hook: null } },
};

/** Query strings arrive as text; what they parse to. */
const coercedQueries: Partial<Record<EndpointName, unknown>> = {
  queryUsers: { ids: ['alice', 'bob.smith@example'], q: 'Al', limit: 20 },
  listMessages: { before: msgId, limit: 50 },
  search: { query: 'deploy', cid: 'messaging:general', limit: 10, cursor: 'abc' },
  listReactions: { type: '🔥', limit: 10, cursor: 'eyJ0IjoiMjAyNi0wMS0wMSJ9' },
  listPinnedMessages: { limit: 10, cursor: 'eyJ0IjoiMjAyNi0wMS0wMSJ9' },
  listWebhookDeliveries: { state: 'failed', limit: 10 },
  // Reports, the review queue and the audit log.
  listReviewItems: {
    status: 'pending',
    cid: 'team:general',
    target_kind: 'message',
    assignee: 'none',
    limit: 10,
  },
  listModerationAudit: {
    action: 'message.deleted',
    actor: 'alice',
    since: '2026-01-01T00:00:00.000Z',
    limit: 10,
  },
};

const names = Object.keys(endpoints) as EndpointName[];
const parts = names.flatMap((name) =>
  (['params', 'query', 'body'] as const).flatMap((part) => {
    const schema = (endpoints[name] as { [K in Part]?: z.ZodType })[part];
    return schema ? [{ name, part, schema }] : [];
  }),
);

describe('REST endpoints', () => {
  it('has a sample for every endpoint, with exactly the parts it declares', () => {
    expect(Object.keys(samples).sort()).toEqual([...names].sort());
    for (const name of names) {
      const declared = (['params', 'query', 'body'] as const).filter((part) => part in endpoints[name]);
      const sampled = Object.keys(samples[name]).filter((key) => key !== 'response');
      expect(sampled.sort(), name).toEqual(declared.sort());
    }
    expect(parts.length).toBeGreaterThanOrEqual(50);
  });

  it.each(parts)('$name $part round-trips', ({ name, part, schema }) => {
    const sample = (samples[name] as { [K in Part]?: unknown })[part];
    const { first, second } = roundTrip(schema, sample);
    expect(first).toEqual(part === 'query' && name in coercedQueries ? coercedQueries[name] : sample);
    expect(second).toEqual(first);
    expect(validateInput(schema, JSON.parse(JSON.stringify(sample)))).toEqual({ ok: true, value: first });
  });

  it.each(names)('%s response round-trips', (name) => {
    const { response } = samples[name];
    const schema: z.ZodType = endpoints[name].response;
    const { first, second } = roundTrip(schema, response);
    expect(first).toEqual(response);
    expect(second).toEqual(first);
  });

  it.each(names)('%s has a method, a /v1 path whose {params} match its params schema, and auth', (name) => {
    const endpoint: { path: string; params?: z.ZodType } = endpoints[name];
    expect(endpoint.path).toMatch(/^\/v1\//);
    const inPath = [...endpoint.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const inSchema = endpoint.params instanceof z.ZodObject ? Object.keys(endpoint.params.shape) : [];
    expect(inSchema.sort()).toEqual(inPath.sort());
  });

  it('has no two endpoints on the same method and path', () => {
    const routes = names.map((name) => `${endpoints[name].method} ${endpoints[name].path}`);
    expect(new Set(routes).size).toBe(routes.length);
  });

  it.each(parts)('$name $part converts to JSON Schema (for the OpenAPI document)', ({ schema }) => {
    const json = z.toJSONSchema(schema, { io: 'input' }) as { oneOf?: unknown[]; anyOf?: unknown[] };
    // A strict object, or a choice of strict objects (a body told apart by a field, as devices).
    for (const choice of json.oneOf ?? json.anyOf ?? [json])
      expect(choice).toMatchObject({ type: 'object', additionalProperties: false });
  });

  it.each(names)('%s response converts to JSON Schema', (name) => {
    expect(z.toJSONSchema(endpoints[name].response, { io: 'output' })).toMatchObject({ type: 'object' });
  });
});

const { body, params, query } = {
  body: <N extends EndpointName>(name: N) => (endpoints[name] as { body: z.ZodType }).body,
  params: <N extends EndpointName>(name: N) => (endpoints[name] as { params: z.ZodType }).params,
  query: <N extends EndpointName>(name: N) => (endpoints[name] as { query: z.ZodType }).query,
};

const malformedRequests: {
  name: string;
  schema: z.ZodType;
  input: unknown;
  path: (string | number)[];
  message?: RegExp;
}[] = [
  {
    name: 'register: short password',
    schema: body('register'),
    input: { username: 'al', password: 'short' },
    path: ['password'],
  },
  {
    name: 'register: username with a slash',
    schema: body('register'),
    input: { username: 'al/ice', password: 'long enough pw' },
    path: ['username'],
  },
  {
    name: 'register: __proto__ key from raw JSON',
    schema: body('register'),
    input: JSON.parse('{"username":"al","password":"long enough pw","__proto__":{"role":"admin"}}'),
    path: [],
    message: /"__proto__"/,
  },
  {
    name: 'login: missing password',
    schema: body('login'),
    input: { username: 'alice' },
    path: ['password'],
  },
  {
    name: 'login: unknown session mode',
    schema: body('login'),
    input: { username: 'alice', password: 'pw', session: 'localStorage' },
    path: ['session'],
  },
  {
    name: 'register: session as a flag',
    schema: body('register'),
    input: { username: 'alice', password: 'correct horse', session: true },
    path: ['session'],
  },
  {
    name: 'refresh: empty token (not absent)',
    schema: body('refresh'),
    input: { refresh_token: '' },
    path: ['refresh_token'],
  },
  {
    name: 'refresh: short token',
    schema: body('refresh'),
    input: { refresh_token: 'abc' },
    path: ['refresh_token'],
  },
  {
    name: 'updateMe: empty body',
    schema: body('updateMe'),
    input: {},
    path: [],
    message: /at least one field/,
  },
  {
    name: 'updateMe: custom with __proto__',
    schema: body('updateMe'),
    input: JSON.parse('{"custom":{"__proto__":{"admin":true}}}'),
    path: ['custom', '__proto__'],
  },
  { name: 'updateMe: name with NUL', schema: body('updateMe'), input: { name: 'A\u0000' }, path: ['name'] },
  {
    name: 'updateMe: javascript: image',
    schema: body('updateMe'),
    input: { image: 'javascript:alert(1)' },
    path: ['image'],
  },
  { name: 'upsertUsers: no users', schema: body('upsertUsers'), input: { users: [] }, path: ['users'] },
  {
    name: 'upsertUsers: unknown role',
    schema: body('upsertUsers'),
    input: { users: [{ id: 'a' }, { id: 'b', role: 'root' }] },
    path: ['users', 1, 'role'],
  },
  {
    name: 'createChannel: neither id nor two members',
    schema: body('createChannel'),
    input: { type: 'messaging', members: ['alice'] },
    path: ['members'],
    message: /at least two members/,
  },
  {
    name: 'createChannel: unknown type',
    schema: body('createChannel'),
    input: { type: 'private', id: 'x' },
    path: ['type'],
  },
  {
    name: 'createChannel: too many members',
    schema: body('createChannel'),
    input: {
      type: 'team',
      id: 'big',
      members: Array.from({ length: LIMITS.IDS_PER_REQUEST + 1 }, (_, i) => `u${i}`),
    },
    path: ['members'],
  },
  {
    name: 'createChannel: id with a colon',
    schema: body('createChannel'),
    input: { type: 'team', id: 'a:b' },
    path: ['id'],
  },
  { name: 'queryChannels: limit 0', schema: body('queryChannels'), input: { limit: 0 }, path: ['limit'] },
  { name: 'queryChannels: limit 101', schema: body('queryChannels'), input: { limit: 101 }, path: ['limit'] },
  { name: 'queryChannels: limit 2.5', schema: body('queryChannels'), input: { limit: 2.5 }, path: ['limit'] },
  {
    name: 'queryChannels: limit as a string',
    schema: body('queryChannels'),
    input: { limit: '5' },
    path: ['limit'],
  },
  {
    name: 'queryChannels: sort by two fields',
    schema: body('queryChannels'),
    input: { sort: { last_message_at: -1, created_at: 1 } },
    path: ['sort'],
  },
  {
    name: 'queryChannels: sort direction 2',
    schema: body('queryChannels'),
    input: { sort: { created_at: 2 } },
    path: ['sort', 'created_at'],
  },
  {
    name: 'queryChannels: unknown filter',
    schema: body('queryChannels'),
    input: { filter: { owner: 'alice' } },
    path: ['filter'],
    message: /"owner"/,
  },
  {
    name: 'queryChannels: bad time range',
    schema: body('queryChannels'),
    input: { filter: { last_message_at: { gt: 'yesterday' } } },
    path: ['filter', 'last_message_at', 'gt'],
  },
  { name: 'updateChannel: empty body', schema: body('updateChannel'), input: {}, path: [] },
  {
    name: 'updateChannel: custom too large',
    schema: body('updateChannel'),
    input: { custom: { a: 'x'.repeat(LIMITS.CUSTOM_DATA_BYTES) } },
    path: ['custom'],
  },
  {
    name: 'addMembers: too many ids',
    schema: body('addMembers'),
    input: { user_ids: Array.from({ length: LIMITS.IDS_PER_REQUEST + 1 }, (_, i) => `u${i}`) },
    path: ['user_ids'],
  },
  {
    name: 'removeMembers: no ids',
    schema: body('removeMembers'),
    input: { user_ids: [] },
    path: ['user_ids'],
  },
  { name: 'setMemberRole: owner', schema: body('setMemberRole'), input: { role: 'owner' }, path: ['role'] },
  {
    name: 'banMember: timeout 0',
    schema: body('banMember'),
    input: { user_id: 'm', timeout: 0 },
    path: ['timeout'],
  },
  {
    name: 'banMember: timeout over a year',
    schema: body('banMember'),
    input: { user_id: 'm', timeout: LIMITS.BAN_TIMEOUT_SECONDS_MAX + 1 },
    path: ['timeout'],
  },
  {
    name: 'banMember: fractional timeout',
    schema: body('banMember'),
    input: { user_id: 'm', timeout: 60.5 },
    path: ['timeout'],
  },
  {
    name: 'sendMessage: empty message',
    schema: body('sendMessage'),
    input: { client_msg_id: 'c', attachments: [] },
    path: ['text'],
    message: /needs text/,
  },
  {
    name: 'sendMessage: oversize text',
    schema: body('sendMessage'),
    input: { client_msg_id: 'c', text: 'z'.repeat(LIMITS.MESSAGE_TEXT_LENGTH + 1) },
    path: ['text'],
  },
  {
    name: 'updateMessage: lone surrogate',
    schema: body('updateMessage'),
    input: { text: 'oops \udfff' },
    path: ['text'],
    message: /lone surrogates/,
  },
  { name: 'addReaction: empty type', schema: body('addReaction'), input: { type: '' }, path: ['type'] },
  { name: 'listReactions: empty type', schema: query('listReactions'), input: { type: '' }, path: ['type'] },
  {
    name: 'listReactions: type over 32 characters',
    schema: query('listReactions'),
    input: { type: 'r'.repeat(LIMITS.REACTION_TYPE_LENGTH + 1) },
    path: ['type'],
  },
  {
    name: 'listReactions: limit over the page maximum',
    schema: query('listReactions'),
    input: { limit: String(LIMITS.PAGE_SIZE_MAX + 1) },
    path: ['limit'],
  },
  {
    name: 'listReactions: limit "0"',
    schema: query('listReactions'),
    input: { limit: '0' },
    path: ['limit'],
  },
  {
    name: 'listReactions: NUL in the cursor',
    schema: query('listReactions'),
    input: { cursor: 'abc\u0000' },
    path: ['cursor'],
  },
  {
    name: 'listReactions: cursor over 512 characters',
    schema: query('listReactions'),
    input: { cursor: 'c'.repeat(513) },
    path: ['cursor'],
  },
  {
    name: 'listReactions: unknown parameter',
    schema: query('listReactions'),
    input: { user: 'bob' },
    path: [],
  },
  {
    name: 'markRead: bad message id',
    schema: body('markRead'),
    input: { message_id: 'last' },
    path: ['message_id'],
  },
  { name: 'saveDraft: missing text', schema: body('saveDraft'), input: {}, path: ['text'] },
  { name: 'saveDraft: NUL in text', schema: body('saveDraft'), input: { text: '\u0000' }, path: ['text'] },
  // params
  {
    name: 'channel params: unknown type',
    schema: params('getChannel'),
    input: { type: 'dm', id: 'a' },
    path: ['type'],
  },
  {
    name: 'channel params: id with a dot',
    schema: params('getChannel'),
    input: { type: 'team', id: 'a.b' },
    path: ['id'],
  },
  { name: 'message params: not a uuid', schema: params('getMessage'), input: { id: '42' }, path: ['id'] },
  {
    name: 'removeReaction params: reaction over 32 characters',
    schema: params('removeReaction'),
    input: { id: uuid(), reaction: 'r'.repeat(33) },
    path: ['reaction'],
  },
  {
    name: 'removeLinkPreview query: not an http(s) URL',
    schema: query('removeLinkPreview'),
    input: { url: 'javascript:alert(1)' },
    path: ['url'],
  },
  {
    name: 'setMemberRole params: bad user id',
    schema: params('setMemberRole'),
    input: { type: 'team', id: 'a', userId: 'bob smith' },
    path: ['userId'],
  },
  // query strings
  {
    name: 'listMessages: limit "abc"',
    schema: query('listMessages'),
    input: { limit: 'abc' },
    path: ['limit'],
  },
  {
    name: 'listMessages: limit "-5"',
    schema: query('listMessages'),
    input: { limit: '-5' },
    path: ['limit'],
  },
  {
    name: 'listMessages: limit "1.5"',
    schema: query('listMessages'),
    input: { limit: '1.5' },
    path: ['limit'],
  },
  {
    name: 'listMessages: limit "1e20"',
    schema: query('listMessages'),
    input: { limit: '1e20' },
    path: ['limit'],
  },
  { name: 'listMessages: limit ""', schema: query('listMessages'), input: { limit: '' }, path: ['limit'] },
  {
    name: 'listMessages: before and after',
    schema: query('listMessages'),
    input: { before: uuid(), after: uuid() },
    path: ['after'],
  },
  {
    name: 'listMessages: around with before',
    schema: query('listMessages'),
    input: { before: uuid(), around: uuid() },
    path: ['around'],
  },
  {
    name: 'listReplies: around not an id',
    schema: query('listReplies'),
    input: { around: '../../etc' },
    path: ['around'],
  },
  {
    name: 'queryChannels: joinable false (only true means anything)',
    schema: body('queryChannels'),
    input: { filter: { joinable: false } },
    path: ['filter', 'joinable'],
  },
  {
    name: 'listReplies: bad before',
    schema: query('listReplies'),
    input: { before: 'yesterday' },
    path: ['before'],
  },
  {
    name: 'listMessages: unknown parameter',
    schema: query('listMessages'),
    input: { offset: '10' },
    path: [],
  },
  {
    name: 'queryUsers: too many ids',
    schema: query('queryUsers'),
    input: { ids: Array.from({ length: LIMITS.IDS_PER_REQUEST + 1 }, (_, i) => `u${i}`).join(',') },
    path: ['ids'],
  },
  {
    name: 'queryUsers: a bad id in the list',
    schema: query('queryUsers'),
    input: { ids: 'a,b c' },
    path: ['ids', 1],
  },
  { name: 'search: empty query', schema: query('search'), input: { query: '' }, path: ['query'] },
  { name: 'search: bad cid', schema: query('search'), input: { query: 'x', cid: 'general' }, path: ['cid'] },
  {
    name: 'getDraft: bad parent_id',
    schema: query('getDraft'),
    input: { parent_id: 'root' },
    path: ['parent_id'],
  },
  {
    name: 'setWebPush: a subject that is neither mailto: nor https:',
    schema: body('setWebPush'),
    input: { subject: 'http://example.com' },
    path: ['subject'],
  },
  {
    name: 'setPushPreferences: a level it does not know',
    schema: body('setPushPreferences'),
    input: { level: 'loud' },
    path: ['level'],
  },
  {
    name: 'setPushSettings: a placeholder it does not know',
    schema: body('setPushSettings'),
    input: { title_template: '{{sender}} said {{txt}}' },
    path: ['title_template'],
  },
  {
    name: 'setPushSettings: an unclosed placeholder',
    schema: body('setPushSettings'),
    input: { body_template: '{{text' },
    path: ['body_template'],
  },
  {
    name: 'setPushSettings: nothing to change',
    schema: body('setPushSettings'),
    input: {},
    path: [],
  },
  {
    name: 'setUploadPolicy: a negative size',
    schema: body('setUploadPolicy'),
    input: { max_bytes: -1 },
    path: ['max_bytes'],
  },
  {
    name: 'setUploadPolicy: a type that is not a MIME type or family',
    schema: body('setUploadPolicy'),
    input: { blocked_types: ['image/svg+xml', 'svg'] },
    path: ['blocked_types', 1],
  },
  {
    name: 'setUploadPolicy: a family written in capitals',
    schema: body('setUploadPolicy'),
    input: { allowed_types: ['Image/*'] },
    path: ['allowed_types', 0],
  },
  {
    name: 'setUploadPolicy: more types than a policy holds',
    schema: body('setUploadPolicy'),
    input: { blocked_types: Array.from({ length: 101 }, (_, i) => `application/x-${i}`) },
    path: ['blocked_types'],
  },
  {
    name: 'setUploadPolicy: an empty allow list (null takes any type)',
    schema: body('setUploadPolicy'),
    input: { allowed_types: [] },
    path: ['allowed_types'],
  },
  {
    name: 'setUploadPolicy: nothing to change',
    schema: body('setUploadPolicy'),
    input: {},
    path: [],
  },
  {
    name: 'getPushStats: more days than kept',
    schema: query('getPushStats'),
    input: { days: '365' },
    path: ['days'],
  },
  {
    name: 'setPushPreferences: a bad cid',
    schema: body('setPushPreferences'),
    input: { channels: [{ cid: 'general', level: 'none' }] },
    path: ['channels', 0, 'cid'],
  },
  {
    name: 'setApnsPush: a key id of the wrong shape',
    schema: body('setApnsPush'),
    input: { key: '-----BEGIN PRIVATE KEY-----', key_id: 'abc', team_id: 'DEF123GHIJ', bundle_id: 'com.x' },
    path: ['key_id'],
  },
  {
    name: 'setFcmPush: not a PEM key',
    schema: body('setFcmPush'),
    input: { service_account: { project_id: 'p', client_email: 'a@b.co', private_key: 'secret' } },
    path: ['service_account', 'private_key'],
  },
  {
    name: 'setFcmPush: a base URL over http',
    schema: body('setFcmPush'),
    input: {
      service_account: {
        project_id: 'p',
        client_email: 'a@b.co',
        private_key: '-----BEGIN PRIVATE KEY-----',
      },
      base_url: 'http://fcm.example.com',
    },
    path: ['base_url'],
  },
  {
    name: 'setWebPush: half a key pair',
    schema: body('setWebPush'),
    input: { subject: 'mailto:a@b.c', vapid_public_key: webKeys.p256dh },
    path: ['vapid_private_key'],
  },
  {
    name: 'createUpload: a size of zero',
    schema: body('createUpload'),
    input: { name: 'a.png', type: 'image/png', size: 0 },
    path: ['size'],
  },
  {
    name: 'createUpload: a type that is not a MIME type',
    schema: body('createUpload'),
    input: { name: 'a.png', type: 'png', size: 10 },
    path: ['type'],
  },
  {
    name: 'createUpload: a control character in the name',
    schema: body('createUpload'),
    input: { name: 'a\u0000.png', type: 'image/png', size: 10 },
    path: ['name'],
  },
  {
    name: 'signUploadParts: a part number twice',
    schema: body('signUploadParts'),
    input: { part_numbers: [1, 1] },
    path: ['part_numbers'],
  },
  {
    name: 'signUploadParts: part 0',
    schema: body('signUploadParts'),
    input: { part_numbers: [0] },
    path: ['part_numbers', 0],
  },
  {
    name: 'recordUploadPart: an ETag with a line break',
    schema: body('recordUploadPart'),
    input: { etag: '"abc"\nX-Evil: 1', size: 1 },
    path: ['etag'],
  },
  {
    name: 'registerDevice: a provider it does not know',
    schema: body('registerDevice'),
    input: { provider: 'sms', token: 'x' },
    path: ['provider'],
  },
  {
    name: 'registerDevice: an APNs token that is not hex',
    schema: body('registerDevice'),
    input: { provider: 'apns', token: 'z'.repeat(64) },
    path: ['token'],
  },
  {
    name: 'registerDevice: a Web Push endpoint over http',
    schema: body('registerDevice'),
    input: { provider: 'web', subscription: { endpoint: 'http://push.example.com/x', keys: webKeys } },
    path: ['subscription', 'endpoint'],
  },
  {
    name: 'registerDevice: a Web Push key of the wrong size',
    schema: body('registerDevice'),
    input: {
      provider: 'web',
      subscription: { endpoint: 'https://push.example.com/x', keys: { ...webKeys, auth: 'AAAA' } },
    },
    path: ['subscription', 'keys', 'auth'],
  },
  {
    name: 'registerDevice: an FCM token with a space',
    schema: body('registerDevice'),
    input: { provider: 'fcm', token: 'abc def' },
    path: ['token'],
  },
  {
    name: 'createWebhook: not http(s)',
    schema: body('createWebhook'),
    input: { name: 'x', url: 'ftp://example.com/' },
    path: ['url'],
  },
  {
    name: 'createWebhook: not a URL at all',
    schema: body('createWebhook'),
    input: { name: 'x', url: '' },
    path: ['url'],
  },
  {
    name: 'setBeforeSendHook: not a URL, with a NUL',
    schema: body('setBeforeSendHook'),
    input: { url: 'x\u0000' },
    path: ['url'],
  },
  {
    name: 'createWebhook: credentials in the URL',
    schema: body('createWebhook'),
    input: { name: 'x', url: 'https://user:pass@example.com/' },
    path: ['url'],
  },
  {
    name: 'createWebhook: unknown event type',
    schema: body('createWebhook'),
    input: { name: 'x', url: 'https://example.com/', events: ['message.exploded'] },
    path: ['events', 0],
  },
  {
    name: 'createWebhook: an event type twice',
    schema: body('createWebhook'),
    input: { name: 'x', url: 'https://example.com/', events: ['message.new', 'message.new'] },
    path: ['events'],
  },
  {
    name: 'createWebhook: secret without whsec_',
    schema: body('createWebhook'),
    input: { name: 'x', url: 'https://example.com/', secret: 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    path: ['secret'],
  },
  {
    name: 'createWebhook: secret too short',
    schema: body('createWebhook'),
    input: { name: 'x', url: 'https://example.com/', secret: 'whsec_c2hvcnQ=' },
    path: ['secret'],
  },
  {
    name: 'rotateWebhookSecret: grace over seven days',
    schema: body('rotateWebhookSecret'),
    input: { previous_secret_ttl_s: LIMITS.WEBHOOK_SECRET_GRACE_SECONDS_MAX + 1 },
    path: ['previous_secret_ttl_s'],
  },
  {
    name: 'replayWebhookEvents: since after until',
    schema: body('replayWebhookEvents'),
    input: { since: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' },
    path: ['since'],
  },
  {
    name: 'setBeforeSendHook: timeout over the limit',
    schema: body('setBeforeSendHook'),
    input: { url: 'https://example.com/', timeout_ms: LIMITS.HOOK_TIMEOUT_MS_MAX + 1 },
    path: ['timeout_ms'],
  },
  {
    name: 'setBeforeSendHook: unknown failure mode',
    schema: body('setBeforeSendHook'),
    input: { url: 'https://example.com/', on_failure: 'maybe' },
    path: ['on_failure'],
  },
];

describe('REST validation rejects malformed requests with the exact issue path', () => {
  it('covers at least 40 distinct cases', () => {
    expect(new Set(malformedRequests.map((c) => c.name)).size).toBe(malformedRequests.length);
    expect(malformedRequests.length).toBeGreaterThanOrEqual(40);
  });

  it.each(malformedRequests)('$name', ({ schema, input, path, message }) => {
    expectRejectedAt(validateInput(schema, input), path, message);
  });

  it('coerces query-string text to numbers and lists', () => {
    expect(validateInput(query('queryUsers'), { ids: '' })).toEqual({ ok: true, value: { ids: [] } });
    expect(validateInput(query('listMessages'), {})).toEqual({ ok: true, value: {} });
  });
});
