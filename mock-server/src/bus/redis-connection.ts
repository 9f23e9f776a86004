import { Redis } from 'ioredis';
import { watchRedis } from '../kernel/dependency-status';

/**
 * Opens a connection to Redis the way every part of the server wants it during an outage: a
 * command fails at once instead of queueing until Redis returns (each caller has a way to
 * degrade: the write budget falls back to this node's memory, presence and watcher counts are
 * repaired on return, events wait in the relay), and reconnecting is retried at least every
 * second, so a node is back within about a second of Redis.
 *
 * `lazyConnect` is the caller's `connect()`; until then commands would fail.
 */
export function openRedis(url: string, options: { autoPipelining?: boolean } = {}): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    // A command in flight when the connection drops fails then, rather than being resent after
    // a reconnect the caller can no longer wait for (its request has answered meanwhile).
    maxRetriesPerRequest: 0,
    // Commands of one event-loop turn go out in one write (a reconnect storm's many connects).
    enableAutoPipelining: options.autoPipelining ?? true,
    retryStrategy: (attempt) => Math.min(attempt * 100, RECONNECT_MAX_MS),
  });
  // The connection's state is said once per outage (kernel/dependency-status.ts); its failed commands
  // are the callers' to handle.
  watchRedis(client);
  return client;
}

/** The longest wait between two attempts to reconnect. */
export const RECONNECT_MAX_MS = 1_000;

/**
 * Calls `listener` each time `client` is usable again after losing its connection (not at the
 * first connect). For a subscriber, ioredis has subscribed again by then.
 */
export function onReconnected(client: Redis, listener: () => void): void {
  let lost = false;
  client.on('reconnecting', () => {
    lost = true;
  });
  client.on('ready', () => {
    if (!lost) return;
    lost = false;
    listener();
  });
}
