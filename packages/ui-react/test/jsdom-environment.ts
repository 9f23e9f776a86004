import { builtinEnvironments, type Environment } from 'vitest/runtime';

/**
 * Node's WebSocket builds its events from the global `Event`/`MessageEvent`/`CloseEvent` when it
 * fires them; jsdom replaces those globals and every socket then dies on open. So the sockets
 * and their event classes stay Node's; jsdom's elements create events from their own window.
 */
const KEEP_FROM_NODE = ['WebSocket', 'Event', 'EventTarget', 'MessageEvent', 'CloseEvent'] as const;

export default {
  name: 'jsdom-node-websocket',
  viteEnvironment: 'client',
  async setup(global, options) {
    const fromNode = KEEP_FROM_NODE.filter((name) => name in global).map((name) => [name, global[name]]);
    const environment = await builtinEnvironments.jsdom.setup(global, options);
    for (const [name, value] of fromNode) {
      Object.defineProperty(global, name, { value, configurable: true, writable: true });
    }
    return environment;
  },
} satisfies Environment;
