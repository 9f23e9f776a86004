/**
 * Every size the platform bounds, in one place: the server enforces them, the SDK checks them
 * before sending, and the UI can show them. Changing one here changes it everywhere.
 */
export const LIMITS = {
  /** Characters of text in one message. */
  MESSAGE_TEXT_LENGTH: 5_000,
  /** Bytes of one WebSocket frame, either direction. */
  FRAME_BYTES: 64 * 1024,
  /** Bytes of one REST request body. */
  BODY_BYTES: 1024 * 1024,
  /** Items in one page of any list. */
  PAGE_SIZE_MAX: 100,
  /** Items in one page when the caller does not say. */
  PAGE_SIZE_DEFAULT: 25,
  /** Attachments on one message. */
  ATTACHMENTS_PER_MESSAGE: 10,
  /** An upload's file name, in characters. */
  UPLOAD_NAME_LENGTH: 255,
  /** Members of one channel. */
  MEMBERS_PER_CHANNEL: 10_000,
  /** Members an `added_to_channel` notification carries, to name a channel without a name. */
  MEMBERS_PREVIEW: 5,
  /** User ids in one add/remove/query call. */
  IDS_PER_REQUEST: 100,
  /** Users mentioned in one message. */
  MENTIONS_PER_MESSAGE: 50,
  /** Characters of an id (user, channel, client message id). */
  ID_LENGTH: 128,
  /** Characters of a display name or channel name. */
  NAME_LENGTH: 200,
  /** Characters of a URL (images, attachments). */
  URL_LENGTH: 2_048,
  /** Characters of a reaction type, e.g. an emoji or `thumbs_up`. */
  REACTION_TYPE_LENGTH: 32,
  /** Bytes of the JSON of a `custom` data object. */
  CUSTOM_DATA_BYTES: 5 * 1024,
  /** Levels of objects and arrays in a `custom` data object (the object itself is level 1). */
  CUSTOM_DATA_DEPTH: 32,
  /** Characters of a search query. */
  SEARCH_QUERY_LENGTH: 200,
  /** Characters of a password. */
  PASSWORD_LENGTH_MIN: 8,
  PASSWORD_LENGTH_MAX: 256,
  /** Seconds of the longest ban timeout (one year). */
  BAN_TIMEOUT_SECONDS_MAX: 365 * 24 * 3600,
  /** Characters of a token (JWT or refresh token). */
  TOKEN_LENGTH: 4_096,
  /** Webhook endpoints of one application. */
  WEBHOOKS_PER_APP: 20,
  /** Seconds a rotated-out webhook secret may keep signing (seven days). */
  WEBHOOK_SECRET_GRACE_SECONDS_MAX: 7 * 24 * 3600,
  /** Events one replay call queues; a longer range takes several calls. */
  WEBHOOK_REPLAY_EVENTS_MAX: 1_000,
  /** Milliseconds a send may wait for the before-send hook. */
  HOOK_TIMEOUT_MS_MAX: 5_000,
  /** Characters of the reason a before-send hook gives for a rejection. */
  HOOK_REASON_LENGTH: 500,
  /**
   * Push devices of one user. Registering one more drops the one registered longest ago (a
   * reinstalled app leaves a dead token behind; the newest device must always get pushes).
   */
  DEVICES_PER_USER: 25,
  /** Users one user can mute. */
  MUTED_USERS_MAX: 1_000,
  /** Characters of an FCM registration token or an APNs device token. */
  PUSH_TOKEN_LENGTH: 4_096,
  /** Characters of a Web Push subscription's endpoint URL. */
  PUSH_ENDPOINT_LENGTH: 2_048,
  /** Link previews on one message: those of its first URLs. */
  LINK_PREVIEWS_PER_MESSAGE: 3,
  /** Characters of a link preview's title. */
  LINK_PREVIEW_TITLE_LENGTH: 300,
  /** Characters of a link preview's description. */
  LINK_PREVIEW_DESCRIPTION_LENGTH: 1_000,
  /** Characters of a link preview's site name. */
  LINK_PREVIEW_SITE_NAME_LENGTH: 200,
} as const;

/**
 * The bounds of safety and moderation (slow mode, pins, reports, blocklists, blocks, timeouts),
 * apart from `LIMITS` so the client's bundle, which reads a few of those, does not carry them.
 */
export const MODERATION_LIMITS = {
  // Channel moderation: slow mode and pins.
  /** Seconds of the longest slow-mode cooldown (six hours). */
  SLOW_MODE_SECONDS_MAX: 6 * 3600,
  /** Messages pinned in one channel at once; pinning one more is refused until one is unpinned. */
  PINNED_MESSAGES_PER_CHANNEL: 50,
  // Moderation: reports, review queue, audit log.
  /** Characters of the note a reporter adds to a report. */
  REPORT_NOTE_LENGTH: 1_000,
  /** Characters of the reason a moderator gives for an action (recorded in the audit log). */
  MODERATION_REASON_LENGTH: 500,
  /** Reports shown with one review item (the newest; `report_count` counts them all). */
  REVIEW_REPORTS_SHOWN: 50,
  // Blocklists.
  /** Blocklists of one application. */
  BLOCKLISTS_PER_APP: 50,
  /** Entries of one blocklist (words, phrases, domains or emails). */
  BLOCKLIST_ENTRIES: 10_000,
  /** Entries of all the blocklists of one application together. */
  BLOCKLIST_ENTRIES_PER_APP: 50_000,
  /** Patterns of one regex blocklist, and of all of an application's regex lists together. */
  BLOCKLIST_REGEXES: 100,
  BLOCKLIST_REGEXES_PER_APP: 200,
  /** Characters of one entry (a regex: `BLOCKLIST_REGEX_LENGTH`). */
  BLOCKLIST_ENTRY_LENGTH: 200,
  BLOCKLIST_REGEX_LENGTH: 500,
  /** Characters of a blocklist's name, and of the reason a blocked sender is shown. */
  BLOCKLIST_NAME_LENGTH: 100,
  BLOCKLIST_REASON_LENGTH: 500,
  // User safety: blocks, app-wide bans, timeouts.
  /** Users one user can block. */
  BLOCKED_USERS_MAX: 1_000,
  /** Seconds of the longest timeout (30 days); a longer silence is a ban. */
  TIMEOUT_SECONDS_MAX: 30 * 86_400,
} as const;
