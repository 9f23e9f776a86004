import type { ChannelTypeOverrides, CustomData, LinkPreview, SystemMessageInfo } from '@chat/protocol';
import type { ColumnType, Generated, Insertable, Kysely, Selectable, Updateable } from 'kysely';

/** Kysely's view of the tables in `migrations/`. Keep the two in step. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json = ColumnType<CustomData, string | undefined, string>;
/** bigint columns come back as numbers on both backends (store/parsers.ts; they stay below 2^53). */
type BigInt = ColumnType<number, number | string | undefined, number | string>;

export interface CustomerUsersTable {
  id: Generated<string>;
  email: string;
  password_hash: string;
  display_name: string | null;
  is_active: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApplicationsTable {
  id: Generated<string>;
  name: string;
  api_key: string;
  api_secret: string;
  plan_id: string | null;
  is_active: Generated<boolean>;
  allow_registration: Generated<boolean>;
  allowed_origins: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** The team that owns it (portal); null for apps made by the operator's CLI and the demo. */
  team_id: string | null;
  disabled_at: NullableTimestamp;
  deleted_at: NullableTimestamp;
  /** The secret before the last rotation, still verifying tokens until its expiry. */
  previous_api_secret: string | null;
  previous_secret_expires_at: NullableTimestamp;
  secret_rotated_at: NullableTimestamp;
  /** Changes to the default channel permission table (`ChannelTypeOverrides`). */
  channel_permissions: ColumnType<ChannelTypeOverrides, string | undefined, string>;
}

export interface TeamsTable {
  id: Generated<string>;
  name: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CustomerUserTeamsTable {
  id: Generated<string>;
  customer_user_id: string;
  team_id: string;
  role: Generated<string>;
  created_at: Timestamp;
}

export interface CustomerRefreshTokensTable {
  id: Generated<string>;
  customer_user_id: string;
  token: string;
  family_id: string;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  replaced_by: string | null;
  user_agent: string | null;
  ip: string | null;
  session_started_at: Timestamp;
  created_at: Timestamp;
}

export interface TeamInvitesTable {
  id: Generated<string>;
  team_id: string;
  token: string;
  role: string;
  email: string | null;
  created_by: string | null;
  expires_at: Timestamp;
  accepted_at: NullableTimestamp;
  accepted_by: string | null;
  revoked_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface PortalAuditTable {
  id: Generated<string>;
  team_id: string;
  application_id: string | null;
  customer_user_id: string | null;
  action: string;
  details: Json;
  created_at: Timestamp;
}

export interface AppUsersTable {
  id: Generated<string>;
  app_id: string;
  external_id: string;
  username: string | null;
  display_name: string | null;
  image: string | null;
  user_type: Generated<'user' | 'admin'>;
  custom: Json;
  password_hash: string | null;
  is_online: Generated<boolean>;
  push_level: ColumnType<
    'all' | 'mentions' | 'none',
    'all' | 'mentions' | 'none' | undefined,
    'all' | 'mentions' | 'none'
  >;
  push_dnd_until: NullableTimestamp;
  last_active_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  // User safety (migration 020).
  app_banned_at: NullableTimestamp;
  app_ban_expires_at: NullableTimestamp;
  app_ban_reason: string | null;
  shadow_banned: Generated<boolean>;
  timed_out_until: NullableTimestamp;
  timeout_reason: string | null;
  /** Blocks the user takes part in, either way (a hint: 0 skips looking for blocks). */
  block_count: Generated<number>;
}

export interface RefreshTokensTable {
  id: Generated<string>;
  customer_user_id: string | null;
  app_id: string | null;
  app_user_id: string | null;
  token: string;
  family_id: string;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  replaced_by: string | null;
  created_at: Timestamp;
}

export interface AppUserDevicesTable {
  id: Generated<string>;
  app_id: string;
  app_user_id: string;
  /** A digest of the provider and the token. */
  device_id: string;
  /** The FCM or APNs token, or the Web Push endpoint. */
  push_token: string;
  /** The provider. */
  platform: PushProvider;
  apns_environment: 'sandbox' | 'production' | null;
  web_p256dh: string | null;
  web_auth: string | null;
  name: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type PushProvider = 'fcm' | 'apns' | 'web';

export interface PushProvidersTable {
  app_id: string;
  provider: PushProvider;
  settings: ColumnType<Record<string, string>, string, string>;
  sealed_secret: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type PushSendState = 'pending' | 'sent' | 'failed' | 'removed';

export interface PushSendsTable {
  app_id: string;
  event_id: string;
  device_id: string;
  state: ColumnType<PushSendState, PushSendState | undefined, PushSendState>;
  attempts: Generated<number>;
  last_status: number | null;
  last_error: string | null;
  channel_id: string | null;
  cleared_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type UploadState = 'pending' | 'processing' | 'ready' | 'refused';
export type MediaKind = 'image' | 'video' | 'audio' | 'file';

export interface UploadsTable {
  id: string;
  app_id: string;
  app_user_id: string;
  state: ColumnType<UploadState, UploadState | undefined, UploadState>;
  name: string;
  declared_type: string;
  declared_size: BigInt;
  mime_type: string | null;
  kind: MediaKind | null;
  size: ColumnType<number | null, number | null | undefined, number | null>;
  width: number | null;
  height: number | null;
  /** Video and audio: the length, from the container's headers (null when they do not say). */
  duration_ms: ColumnType<number | null, number | null | undefined, number | null>;
  storage_key: string;
  refusal: string | null;
  refusal_message: string | null;
  /** ThumbHash, base64 (processed images). */
  placeholder: string | null;
  /** The processed image's smaller copies (JSON on write). */
  thumbnails: ColumnType<StoredThumbnail[], string | undefined, string>;
  /** The message it is attached to: an upload goes on one message. */
  message_id: string | null;
  /** Resumable uploads: the storage's multipart upload id, and how the file is cut (null otherwise). */
  multipart_id: ColumnType<string | null, string | null | undefined, string | null>;
  part_size: ColumnType<number | null, number | null | undefined, number | null>;
  part_count: ColumnType<number | null, number | null | undefined, number | null>;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  created_at: Timestamp;
  completed_at: NullableTimestamp;
}

/** A part of a resumable upload on S3, as its client reported it (storage/upload-parts.ts). */
export interface UploadPartsTable {
  app_id: string;
  upload_id: string;
  part_number: number;
  size: ColumnType<string | number, number, number>;
  etag: string;
  created_at: Timestamp;
}

/** A thumbnail of a processed image, as stored: where, and its size. */
export interface StoredThumbnail {
  key: string;
  width: number;
  height: number;
}

export interface UserMutesTable {
  app_id: string;
  app_user_id: string;
  muted_user_id: string;
  created_at: Timestamp;
}

/** A user blocking another (migration 020). */
export interface UserBlocksTable {
  app_id: string;
  app_user_id: string;
  blocked_user_id: string;
  created_at: Timestamp;
}

export interface PushSettingsTable {
  app_id: string;
  title_template: string;
  body_template: string;
  include_content: boolean;
  updated_at: Timestamp;
}

/** An application's upload policy (no row: the server's defaults). */
export interface UploadPoliciesTable {
  app_id: string;
  max_bytes: ColumnType<string | number, number, number>;
  /** JSON arrays of MIME types or families (text on write, parsed or text on read). */
  allowed_types: ColumnType<string[] | string | null, string | null, string | null>;
  blocked_types: ColumnType<string[] | string, string, string>;
  max_image_pixels: ColumnType<string | number, number, number>;
  uploads_per_minute: number;
  updated_at: Timestamp;
}

export interface PushCountersTable {
  app_id: string;
  day: ColumnType<string, string, string>;
  sent: Generated<number>;
  failed: Generated<number>;
  removed: Generated<number>;
}

export interface ChannelsTable {
  id: Generated<string>;
  app_id: string;
  type: 'messaging' | 'team' | 'livestream';
  external_id: string;
  name: string | null;
  image: string | null;
  custom: Json;
  created_by: string | null;
  is_frozen: Generated<boolean>;
  distinct_key: string | null;
  seq: BigInt;
  member_count: Generated<number>;
  last_message_at: NullableTimestamp;
  truncated_at: NullableTimestamp;
  deleted_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Slow mode's cooldown in seconds; 0: off (migration 019). */
  slow_mode_s: Generated<number>;
}

export interface ChannelMembersTable {
  id: Generated<string>;
  app_id: string;
  channel_id: string;
  app_user_id: string;
  role: Generated<'member' | 'moderator' | 'admin'>;
  /** The seq of the last message the member read (unread counts derive from it: domain/reads/unread.ts). */
  read_seq: BigInt;
  is_muted: Generated<boolean>;
  /** The member's push level here; null: as the user's. */
  push_level: ColumnType<
    'all' | 'mentions' | 'none' | null,
    'all' | 'mentions' | 'none' | null | undefined,
    'all' | 'mentions' | 'none' | null
  >;
  is_banned: Generated<boolean>;
  ban_expires_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** The member's last send counted by slow mode (migration 019; only written while it is on). */
  last_sent_at: NullableTimestamp;
}

export interface MessagesTable {
  id: Generated<string>;
  app_id: string;
  channel_id: string;
  app_user_id: string;
  seq: BigInt;
  client_msg_id: string | null;
  type: Generated<'regular' | 'system' | 'deleted'>;
  text: Generated<string>;
  mentioned_user_ids: ColumnType<string[], string[] | undefined, string[]>;
  /** Wire link previews (JSON array), in the order of their links in the text. */
  link_previews: ColumnType<LinkPreview[], string | undefined, string>;
  /** URLs whose preview the sender took off (JSON array): never fetched again for this message. */
  link_previews_removed: ColumnType<string[], string | undefined, string>;
  /** Sent with `skip_link_previews`. */
  link_previews_off: Generated<boolean>;
  parent_id: string | null;
  reply_count: Generated<number>;
  quoted_message_id: string | null;
  custom: Json;
  is_pinned: Generated<boolean>;
  pinned_at: NullableTimestamp;
  pinned_by: string | null;
  is_deleted: Generated<boolean>;
  deleted_at: NullableTimestamp;
  /** Deleted by someone other than its author (migration 017). */
  removed_by_moderator: Generated<boolean>;
  /** Sent while its author was shadow-banned: seen by its author only (migration 020). */
  shadowed: Generated<boolean>;
  edited_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  search: ColumnType<unknown, never, never>;
  /** What a system message reports (migration 019); null on other messages. */
  system: ColumnType<SystemMessageInfo | null, string | null | undefined, string | null>;
}

/** What a link's page said, per application (storage/link-previews.ts); null: it had nothing. */
export interface LinkPreviewCacheTable {
  app_id: string;
  url: string;
  preview: ColumnType<LinkPreview | null, string | null, string | null>;
  fetched_at: Generated<Date>;
  expires_at: Timestamp;
}

export interface MessageAttachmentsTable {
  id: Generated<string>;
  app_id: string;
  message_id: string;
  position: number;
  type: string;
  url: string;
  name: string | null;
  mime_type: string | null;
  file_size: ColumnType<string | number | null, number | null | undefined, number | null>;
  width: number | null;
  height: number | null;
  thumb_url: string | null;
  /** Set for a file uploaded to this server: its URLs are signed from the upload when read. */
  upload_id: string | null;
}

export interface MessageReactionsTable {
  id: Generated<string>;
  app_id: string;
  message_id: string;
  app_user_id: string;
  type: string;
  created_at: Timestamp;
}

export interface MessageReadsTable {
  id: Generated<string>;
  app_id: string;
  channel_id: string;
  message_id: string | null;
  app_user_id: string;
  read_at: Timestamp;
}

export interface MessageDraftsTable {
  id: Generated<string>;
  app_id: string;
  channel_id: string;
  app_user_id: string;
  parent_id: string | null;
  text: string;
  updated_at: Timestamp;
}

export interface ChannelEventsTable {
  app_id: string;
  channel_id: string;
  seq: BigInt;
  type: string;
  payload: Json;
  created_at: Timestamp;
  /** Its place in the event feed (jobs/event-feed.ts): set by the database. */
  position: Generated<number>;
  /** The writing transaction's id (`xid8`, as text): set by the database. */
  tx: Generated<string>;
  /** The only user who may see the event (a shadowed message's author); null: everyone (020). */
  visible_to: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A consumer's place in the event feed. */
export interface EventCursorsTable {
  consumer: string;
  tx: Generated<string>;
  position: Generated<number>;
  updated_at: Generated<Date>;
}

export interface WebhooksTable {
  id: Generated<string>;
  app_id: string;
  name: string;
  url: string;
  type: Generated<string>;
  secret: string | null;
  events: ColumnType<string[], string[] | undefined, string[]>;
  is_active: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
  disabled_reason: string | null;
  /** `[{ secret, expires_at }]`: rotated-out secrets that still sign until they expire. */
  previous_secrets: ColumnType<PreviousSecret[], string | undefined, string>;
  timeout_ms: number | null;
  fail_open: boolean | null;
}

export interface PreviousSecret {
  secret: string;
  expires_at: string;
}

export interface WebhookDeliveriesTable {
  id: Generated<string>;
  /** Log order: set by the database. */
  n: Generated<number>;
  app_id: string;
  webhook_id: string;
  message_id: string;
  event_id: string;
  event_type: string;
  body: string;
  state: ColumnType<DeliveryState, DeliveryState | undefined, DeliveryState>;
  attempts: Generated<number>;
  last_status: number | null;
  last_latency_ms: number | null;
  last_error: string | null;
  replay_of: string | null;
  /** A live delivery's lane of its endpoint (null for rows older than lanes). */
  lane: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
  delivered_at: NullableTimestamp;
}

export type DeliveryState = 'pending' | 'retrying' | 'delivered' | 'failed';

export interface CampaignsTable {
  id: Generated<string>;
  app_id: string;
  name: string;
  message: string;
  status: Generated<string>;
  created_at: Timestamp;
}

export interface ModerationQueueTable {
  id: Generated<string>;
  app_id: string;
  message_id: string | null;
  /** The reported user (a message item: the message's author). */
  app_user_id: string | null;
  /** A portal account (customer staff) that reviewed it. */
  reviewed_by: string | null;
  status: ColumnType<ReviewStatus, ReviewStatus | undefined, ReviewStatus>;
  reason: string | null;
  created_at: Timestamp;
  reviewed_at: NullableTimestamp;
  // Reports, review queue (migration 017).
  target_kind: ColumnType<'message' | 'user', 'message' | 'user' | undefined, 'message' | 'user'>;
  channel_id: string | null;
  report_count: Generated<number>;
  reasons: ColumnType<string[], string[] | undefined, string[]>;
  sources: ColumnType<ReportSource[], ReportSource[] | undefined, ReportSource[]>;
  last_reported_at: Timestamp;
  assigned_to: string | null;
  resolution: string | null;
  resolution_reason: string | null;
  resolved_by: string | null;
  resolved_by_server: Generated<boolean>;
  updated_at: Timestamp;
}

export type ReviewStatus = 'pending' | 'resolved' | 'dismissed';
export type ReportSource = 'user' | 'blocklist';

/** One report on a review item (migration 017). */
export interface ModerationReportsTable {
  id: Generated<string>;
  app_id: string;
  item_id: string;
  reporter_id: string | null;
  source: ReportSource;
  reason: string;
  note: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Timestamp;
}

/** The moderation audit log (migration 017): ids are the app-facing ones, copied. */
export interface ModerationAuditTable {
  id: Generated<string>;
  app_id: string;
  action: string;
  actor_external_id: string | null;
  actor_server: boolean;
  target_external_id: string | null;
  message_id: string | null;
  cid: string | null;
  reason: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Timestamp;
}

// Blocklists (migration 018).
export type BlocklistKind = 'word' | 'phrase' | 'regex' | 'domain' | 'email';
export type BlocklistMode = 'flag' | 'block' | 'mask';

export interface BlocklistsTable {
  id: Generated<string>;
  app_id: string;
  name: string;
  kind: BlocklistKind;
  mode: BlocklistMode;
  reason: string | null;
  is_active: Generated<boolean>;
  entry_count: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface BlocklistEntriesTable {
  app_id: string;
  blocklist_id: string;
  value: string;
}

export interface OutboxTable {
  id: Generated<number>;
  app_id: string;
  topic: string;
  payload: Json;
  created_at: Timestamp;
  processed_at: NullableTimestamp;
  /** Its place in the event feed, shared with channel_events: set by the database. */
  position: Generated<number>;
  /** The writing transaction's id (`xid8`, as text): set by the database. */
  tx: Generated<string>;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: Timestamp;
}

export interface Database {
  customer_users: CustomerUsersTable;
  applications: ApplicationsTable;
  teams: TeamsTable;
  customer_user_teams: CustomerUserTeamsTable;
  customer_refresh_tokens: CustomerRefreshTokensTable;
  team_invites: TeamInvitesTable;
  portal_audit: PortalAuditTable;
  app_users: AppUsersTable;
  refresh_tokens: RefreshTokensTable;
  app_user_devices: AppUserDevicesTable;
  push_providers: PushProvidersTable;
  push_sends: PushSendsTable;
  push_settings: PushSettingsTable;
  push_counters: PushCountersTable;
  user_mutes: UserMutesTable;
  user_blocks: UserBlocksTable;
  uploads: UploadsTable;
  upload_parts: UploadPartsTable;
  upload_policies: UploadPoliciesTable;
  channels: ChannelsTable;
  channel_members: ChannelMembersTable;
  messages: MessagesTable;
  message_attachments: MessageAttachmentsTable;
  link_preview_cache: LinkPreviewCacheTable;
  message_reactions: MessageReactionsTable;
  message_reads: MessageReadsTable;
  message_drafts: MessageDraftsTable;
  channel_events: ChannelEventsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  campaigns: CampaignsTable;
  moderation_queue: ModerationQueueTable;
  moderation_reports: ModerationReportsTable;
  moderation_audit: ModerationAuditTable;
  blocklists: BlocklistsTable;
  blocklist_entries: BlocklistEntriesTable;
  outbox: OutboxTable;
  event_cursors: EventCursorsTable;
  schema_migrations: SchemaMigrationsTable;
}

export type AppRow = Selectable<ApplicationsTable>;
export type AppUserRow = Selectable<AppUsersTable>;
export type ChannelRow = Selectable<ChannelsTable>;
export type MemberRow = Selectable<ChannelMembersTable>;
export type MessageRow = Selectable<MessagesTable>;
export type NewMessage = Insertable<MessagesTable>;
export type ChannelUpdate = Updateable<ChannelsTable>;

/** The query builder over the whole database. */
export type Db = Kysely<Database>;
