/**
 * Who is acting, resolved from a verified token. Every domain call takes one, and every query it
 * makes is scoped by `appId`.
 */
export interface Actor {
  appId: string;
  /** `app_users.id` (internal uuid); null for a server-side call not acting for a user. */
  userId: string | null;
  /** The app's own id for the user (`app_users.external_id`); null like `userId`. */
  externalId: string | null;
  /** App-wide role: `admin` users may moderate every channel of their app. */
  role: 'user' | 'admin';
  /** True for calls signed with the app secret carrying `server: true`. */
  server: boolean;
}
