import { type ServerNode, startNodes as startNodesOf } from '@chat/fault-kit';
import { cli } from '../multi-node-cluster';

/**
 * What every node of this suite runs with: info logs (the dependency lines are what the suite
 * reads), and budgets high enough that one steady sender and its retries are never rate limited.
 */
export const NODE_ENV = {
  LOG_LEVEL: 'info',
  CHAT_SEED_DEMO: '0',
  CHAT_WS_WRITES_PER_WINDOW: '100000',
  CHAT_WS_FRAMES_PER_WINDOW: '100000',
  // Presence refreshes (and fails while Redis is down) every second, as it would under load.
  CHAT_WS_HEARTBEAT_MS: '1000',
};

/** Starts nodes of this server with NODE_ENV, recording each in `started` (even when another fails). */
export function startNodes(
  names: readonly string[],
  env: Record<string, string>,
  started: ServerNode[],
): Promise<ServerNode[]> {
  return startNodesOf(cli, names, { ...NODE_ENV, ...env }, started);
}
