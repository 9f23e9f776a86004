import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * Says once when an outside service the process needs (Redis, PostgreSQL) goes away and once
 * when it is back. Its clients report every failed attempt to reconnect (ioredis retries every
 * few hundred ms, per connection) and every request fails meanwhile: logged as they come, an
 * outage buries the one thing an operator needs to know, what the server is waiting for.
 *
 * One status per service per process, shared by every connection to it (a node holds four to
 * Redis), so a node says "waiting for Redis" once, not once per connection. The lines go to the
 * logger of the server running in the process (`reportDependencies`); before one runs (the CLI's
 * one-shot commands, tests opening a store) nothing is logged.
 */

let sink: Logger | undefined;
const statuses = new Map<string, DependencyStatus>();

/** Sends dependency lines to `logger` and watches `redis` (a connection the server opened itself). */
export function reportDependencies(logger: Logger, redis?: Redis): void {
  sink = logger;
  if (redis) watchRedis(redis);
}

export class DependencyStatus {
  /** Connections that lost the service and have not got it back. */
  private readonly lost = new Set<object>();
  private downSince = 0;
  private readonly listeners = new Set<(down: boolean) => void>();

  constructor(readonly lines: { down: string; back: string }) {}

  /** Calls `listener` when the service goes away (true) and when it is back (false). */
  onChange(listener: (down: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private tell(down: boolean): void {
    for (const listener of this.listeners) {
      try {
        listener(down);
      } catch (error) {
        sink?.error({ err: error }, 'dependency listener failed');
      }
    }
  }

  get down(): boolean {
    return this.lost.size > 0;
  }

  /** `connection` lost the service; the first one to say so is the outage's one line. */
  connectionLost(connection: object, error?: unknown): void {
    if (this.lost.has(connection)) return;
    this.lost.add(connection);
    if (this.lost.size > 1) return;
    this.downSince = Date.now();
    sink?.warn({ err: error }, this.lines.down);
    this.tell(true);
  }

  /** `connection` has the service again; the outage is over once every lost one has. */
  connectionRestored(connection: object): void {
    if (!this.lost.delete(connection) || this.lost.size > 0) return;
    // At the level of the line that opened the outage, so a log read at that level shows its end too.
    sink?.warn({ down_ms: Date.now() - this.downSince }, this.lines.back);
    this.tell(false);
  }

  /** `connection` is closed for good (shutdown): it no longer holds an outage open, nor ends one. */
  connectionClosed(connection: object): void {
    this.lost.delete(connection);
  }
}

function statusOf(key: string, lines: { down: string; back: string }): DependencyStatus {
  let status = statuses.get(key);
  if (!status) {
    status = new DependencyStatus(lines);
    statuses.set(key, status);
  }
  return status;
}

/** The status of the Redis at `host:port`. */
export function redisStatus(target: string): DependencyStatus {
  return statusOf(`redis ${target}`, {
    down: `waiting for Redis at ${target}`,
    back: `Redis is back at ${target}`,
  });
}

/**
 * Reports `client`'s connection to its status, in place of logging its errors: ioredis emits
 * `reconnecting` only for a connection lost unexpectedly (not for `quit`), and `ready` once it
 * is usable again (subscriptions restored).
 */
export function watchRedis(client: Redis): void {
  const status = redisStatusOf(client);
  let lastError: unknown;
  // Also what keeps ioredis from printing each failed attempt as an unhandled error.
  client.on('error', (error) => {
    lastError = error;
  });
  client.on('reconnecting', () => status.connectionLost(client, lastError));
  client.on('ready', () => status.connectionRestored(client));
  client.on('end', () => status.connectionClosed(client));
}

/** The status of the Redis `client` connects to. */
export function redisStatusOf(client: Redis): DependencyStatus {
  const { host, port, path } = client.options;
  return redisStatus(path ?? `${host}:${port}`);
}

/** The status of the PostgreSQL database at `target` (host:port/name). */
export function databaseStatus(target: string): DependencyStatus {
  return statusOf(`database ${target}`, {
    down: `database unavailable at ${target}: waiting for it`,
    back: `database is back at ${target}`,
  });
}

/** What this process is waiting for now ("waiting for Redis at …"), for /readyz. */
export function outages(): string[] {
  return [...statuses.values()].filter((status) => status.down).map((status) => status.lines.down);
}

/** True while a dependency of this process is down. */
export function inOutage(): boolean {
  for (const status of statuses.values()) if (status.down) return true;
  return false;
}

/**
 * The level for a failed request or background task. While a dependency is down, failures are
 * what its one "waiting for" line announced: logged at debug, they do not repeat it per request.
 */
export function failureLevel(level: 'warn' | 'error'): 'warn' | 'error' | 'debug' {
  return inOutage() ? 'debug' : level;
}
