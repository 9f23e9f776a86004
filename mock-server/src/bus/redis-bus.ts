import type { Bus } from './bus';
import { onReconnected, openRedis } from './redis-connection';

/**
 * Redis pub/sub between server nodes. Subscribing needs a connection of its own, so the bus
 * holds two. Topics are prefixed so several deployments can share one Redis.
 */
export async function createRedisBus(url: string, prefix = 'chat:'): Promise<Bus> {
  const pub = openRedis(url);
  const sub = openRedis(url, { autoPipelining: false });
  await Promise.all([pub.connect(), sub.connect()]);

  const handlers = new Map<string, Set<(payload: string) => void>>();
  sub.on('message', (channel: string, payload: string) => {
    const set = handlers.get(channel.slice(prefix.length));
    if (set) for (const handler of set) handler(payload);
  });

  const listeners = new Set<(side: 'publisher' | 'subscriber') => void>();
  const tell = (side: 'publisher' | 'subscriber') => {
    for (const listener of listeners) listener(side);
  };
  onReconnected(pub, () => tell('publisher'));
  onReconnected(sub, () => {
    // ioredis subscribes again on its own, without waiting for the answer; subscribing once
    // more (idempotent) and waiting for it is what says the subscriptions are active.
    const topics = [...handlers.keys()].map((topic) => prefix + topic);
    (topics.length ? sub.subscribe(...topics) : Promise.resolve(0)).then(
      () => tell('subscriber'),
      // Lost again at once: the next reconnect tells.
      () => undefined,
    );
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
    onReconnected(listener) {
      listeners.add(listener);
    },
    async close() {
      handlers.clear();
      listeners.clear();
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
