import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { watchRedis } from '../dependency-status';
import type { Bus } from './bus';

/**
 * Redis pub/sub between server nodes. Subscribing needs a connection of its own, so the bus
 * holds two. Topics are prefixed so several deployments can share one Redis. (`_logger` is no
 * longer used: the connections' state goes to dependency-status.ts.)
 */
export async function createRedisBus(url: string, _logger: Logger, prefix = 'chat:'): Promise<Bus> {
  const options = { lazyConnect: true, maxRetriesPerRequest: 3, enableAutoPipelining: true };
  const pub = new Redis(url, options);
  const sub = new Redis(url, { ...options, enableAutoPipelining: false });
  // A lost connection is said once per outage (dependency-status.ts), not at every retry.
  for (const client of [pub, sub]) watchRedis(client);
  await Promise.all([pub.connect(), sub.connect()]);

  const handlers = new Map<string, Set<(payload: string) => void>>();
  sub.on('message', (channel: string, payload: string) => {
    const set = handlers.get(channel.slice(prefix.length));
    if (set) for (const handler of set) handler(payload);
  });

  return {
    async publish(topic, payload) {
      await pub.publish(prefix + topic, payload);
    },
    async subscribe(topic, handler) {
      let set = handlers.get(topic);
      if (!set) {
        set = new Set();
        handlers.set(topic, set);
        await sub.subscribe(prefix + topic);
      }
      set.add(handler);
      return () => set.delete(handler);
    },
    async close() {
      handlers.clear();
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
