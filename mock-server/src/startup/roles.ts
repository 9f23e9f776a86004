/**
 * What a server process does. One process does everything by default (`all`); with PostgreSQL
 * and Redis the work can be split across processes, in any mix: REST-only nodes behind one load
 * balancer, WebSocket-only nodes behind another, and as many workers as the jobs need.
 */
export const SERVER_ROLES = ['all', 'api', 'realtime', 'worker'] as const;
export type ServerRole = (typeof SERVER_ROLES)[number];

export interface RoleDuties {
  /** Serves the REST API (and the admin routes). */
  rest: boolean;
  /** Accepts WebSocket connections. */
  realtime: boolean;
  /** Works background jobs (retention today). */
  jobs: boolean;
}

const DUTIES: Record<ServerRole, RoleDuties> = {
  all: { rest: true, realtime: true, jobs: true },
  api: { rest: true, realtime: false, jobs: false },
  realtime: { rest: false, realtime: true, jobs: false },
  worker: { rest: false, realtime: false, jobs: true },
};

export function dutiesOf(role: ServerRole): RoleDuties {
  return DUTIES[role];
}

/** Reads a role from a flag or the environment; anything else is a clear error. */
export function parseRole(raw: string | undefined, source: string): ServerRole {
  if (raw === undefined || raw === '') return 'all';
  if ((SERVER_ROLES as readonly string[]).includes(raw)) return raw as ServerRole;
  throw new Error(`${source} must be one of ${SERVER_ROLES.join(', ')}; got ${JSON.stringify(raw)}`);
}

/**
 * A split only works when the processes share a database and a bus: the embedded database
 * belongs to one process, and without Redis an event published on an API node never reaches a
 * realtime node.
 */
export function assertRoleCanRun(
  role: ServerRole,
  services: { databaseUrl?: string; redisUrl?: string },
): void {
  if (role === 'all') return;
  const missing = [!services.databaseUrl && 'DATABASE_URL', !services.redisUrl && 'REDIS_URL'].filter(
    Boolean,
  );
  if (missing.length > 0) {
    throw new Error(
      `role "${role}" needs PostgreSQL and Redis shared with the other processes (set ${missing.join(' and ')}); ` +
        'on the embedded database run one process with role "all"',
    );
  }
}
