import { builtinEnvironments, type Environment } from 'vitest/runtime';

/**
 * Node's own WebSocket runs on Node's `EventTarget` and builds its events from the global
 * `Event`/`MessageEvent`/`CloseEvent`, looked up when it fires them; jsdom replaces those globals
 * with its own, and every socket then dies on open ("must be an instance of Event"). jsdom's
 * WebSocket fails the same way. So the sockets and their event classes stay Node's. The DOM is
 * unaffected: jsdom's elements create events from their own window, not from these globals.
 */
const KEEP_FROM_NODE = ['WebSocket', 'Event', 'EventTarget', 'MessageEvent', 'CloseEvent'] as const;

/** jsdom for rendering hooks and components, with Node's WebSocket for the real server. */
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
