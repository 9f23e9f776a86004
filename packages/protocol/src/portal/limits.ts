/** Bounds of the portal API (kept apart from `LIMITS`, which the browser SDK bundles). */
export const PORTAL_LIMITS = {
  /** RFC 5321's longest forward path. */
  EMAIL_LENGTH: 254,
  /** Customer accounts hold the keys to every application of their teams: longer than app users'. */
  PASSWORD_LENGTH_MIN: 10,
  /** The longest an invitation stays usable: thirty days. */
  INVITE_HOURS_MAX: 720,
  /** The longest a rotated secret keeps verifying tokens: seven days. */
  SECRET_GRACE_SECONDS_MAX: 7 * 24 * 3600,
  ALLOWED_ORIGINS_MAX: 100,
  /** Teams a customer may belong to, members per team, applications per team. */
  TEAMS_PER_CUSTOMER_MAX: 50,
  MEMBERS_PER_TEAM_MAX: 200,
  APPS_PER_TEAM_MAX: 100,
  /** Pending invitations per team. */
  PENDING_INVITES_MAX: 100,
} as const;
