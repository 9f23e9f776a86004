import { fileURLToPath } from 'node:url';
import { type ServerNode, startNode as startNodeOf } from '@chat/fault-kit';

/**
 * Real `chat-server` processes of this package's built CLI (`dist/cli.js`) for the multi-node
 * tests; the process handling itself lives in `@chat/fault-kit`, shared with the SDK's fault suite.
 */

export { crash, type ServerNode, stopNodes } from '@chat/fault-kit';

/** This server's CLI: what the nodes run. */
export const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Starts one node on a free port and resolves once it printed where it listens. */
export function startNode(
  name: string,
  env: Record<string, string>,
  timeoutMs?: number,
): Promise<ServerNode> {
  return startNodeOf(cli, name, env, timeoutMs);
}
