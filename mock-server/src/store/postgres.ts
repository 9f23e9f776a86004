import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { databaseStatus } from '../kernel/dependency-status';
import { pgTypes } from './parsers';
import type { Database } from './schema';

export interface PostgresOptions {
  databaseUrl: string;
  /** Use this schema (created if missing) instead of `public`, e.g. one per test worker. */
  schema?: string;
  /** Connections per node; PostgreSQL's own limit is shared by every node. */
  poolSize?: number;
}

/** Lower-case identifiers only: they need no quoting in SQL or in a startup option. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(
      `Schema name ${JSON.stringify(schema)} must match ${SCHEMA_NAME} (lower case, digits, _)`,
    );
  }
}

/** The URL without its password, for error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(DATABASE_URL, not a URL)';
  }
}

/**
 * Connections per node. A reconnect storm's authentications and watches (64 at a time per node,
 * CHAT_WS_SETUP_CONCURRENCY) are a few short queries each: 10 connections left them queueing for
 * the pool. 20 per node keeps five nodes within PostgreSQL's default 100 connections.
 */
export const DEFAULT_POOL_SIZE = 20;

/**
 * A Kysely on a bounded `pg` pool. Fails here, with the server named, when PostgreSQL cannot be
 * reached or used, rather than at the first request.
 */
export async function openPostgres(options: PostgresOptions): Promise<Kysely<Database>> {
  const { databaseUrl, schema } = options;
  if (schema !== undefined) assertSchemaName(schema);
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    // pg waits forever for a connection by default; a wrong host should fail, not hang.
    connectionTimeoutMillis: 10_000,
    types: pgTypes,
    // Sent at connection start, so every pooled connection is in the schema before its first query.
    ...(schema !== undefined && { options: `-c search_path=${schema}` }),
  });
  const status = databaseStatus(databaseTarget(databaseUrl));
  // An idle connection that breaks (server restart) is dropped by the pool and reported here;
  // without a listener that event would crash the process. The next query opens a new one.
  pool.on('error', (error) => status.connectionLost(pool, error));
  pool.on('connect', (client) => {
    // pg-pool listens to a connection's errors only while it is idle: one that breaks while
    // checked out (a query in flight when PostgreSQL stops) emitted an unhandled 'error' and
    // took the process down. Its query fails on its own, and the pool drops it on release.
    client.on('error', (error) => status.connectionLost(pool, error));
    // Only a new connection proves the database is back: after an outage every connection is new.
    status.connectionRestored(pool);
  });
  try {
    if (schema !== undefined) await createSchema(pool, schema);
    else await pool.query('select 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw new Error(`Cannot use PostgreSQL at ${redactUrl(databaseUrl)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const watched = {
    // Every query starts here, so a database that stopped answering shows here first.
    connect: () =>
      pool.connect().catch((error: Error) => {
        // Waiting this long for one of the pool's busy connections is load, not an outage.
        if (error.message !== POOL_WAIT_TIMEOUT) status.connectionLost(pool, error);
        throw error;
      }),
    end: () => {
      status.connectionClosed(pool);
      return pool.end();
    },
  };
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: watched }) });
  pools.set(db, pool);
  return db;
}

/** Each opened Kysely's pool, for its gauges. */
const pools = new WeakMap<object, pg.Pool>();

/** The pool under `db` (opened by `openPostgres`): its connections, idle ones and waiting queries. */
export function poolStatsOf(db: object): { total: number; idle: number; waiting: number } | null {
  const pool = pools.get(db);
  return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : null;
}

/** pg-pool's error when no connection of a full pool came free within connectionTimeoutMillis. */
const POOL_WAIT_TIMEOUT = 'timeout exceeded when trying to connect';

/** host:port/database of a connection string, for log lines (never its credentials). */
function databaseTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host || 'localhost'}${parsed.pathname}`;
  } catch {
    return '(DATABASE_URL)';
  }
}

async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  try {
    await pool.query(`create schema if not exists ${schema}`);
  } catch (error) {
    // Two nodes creating it at the same moment: IF NOT EXISTS does not cover that race, and the
    // loser gets a unique violation. The schema exists either way.
    if ((error as { code?: string }).code !== '23505') throw error;
  }
}
