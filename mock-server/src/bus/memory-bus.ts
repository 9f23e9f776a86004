import type { Bus } from './bus';

/** The single-process bus: delivers on the next microtask, in publish order. */
export function createMemoryBus(): Bus {
  const handlers = new Map<string, Set<(payload: string) => void>>();
  return {
    async publish(topic, payload) {
      const set = handlers.get(topic);
      if (!set) return;
      queueMicrotask(() => {
        for (const handler of set) handler(payload);
      });
    },
    async subscribe(topic, handler) {
      let set = handlers.get(topic);
      if (!set) {
        set = new Set();
        handlers.set(topic, set);
      }
      set.add(handler);
      return () => set.delete(handler);
    },
    async close() {
      handlers.clear();
    },
  };
}
