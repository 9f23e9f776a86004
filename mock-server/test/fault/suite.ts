import { setTimeout as sleep } from 'node:timers/promises';
import { type ServerNode, startNode } from '../multi-node-cluster';
import { missingTools } from './services';

/** Whether the fault suite can run here; without its tools it fails under CI and skips elsewhere. */
export function faultSuiteRuns(): boolean {
  const missing = missingTools();
  if (!missing) return true;
  const skipped = `fault suite skipped: ${missing}`;
  if (process.env.CHAT_REQUIRE_SERVICES === '1') throw new Error(`CHAT_REQUIRE_SERVICES=1 but ${skipped}`);
  console.warn(skipped);
  return false;
}

/**
 * What every node of the suite runs with: info logs (the dependency lines are what the suite
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

/** Starts nodes, recording each in `started` (even when another fails) so the suite stops them all. */
export async function startNodes(
  names: readonly string[],
  env: Record<string, string>,
  started: ServerNode[],
): Promise<ServerNode[]> {
  const results = await Promise.allSettled(names.map((name) => startNode(name, { ...NODE_ENV, ...env })));
  for (const result of results) if (result.status === 'fulfilled') started.push(result.value);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<ServerNode>).value);
}

/** The log lines (pino JSON) a node printed from `from` on whose message matches `pattern`. */
export function logLines(node: ServerNode, pattern: RegExp, from = 0): string[] {
  return node
    .output()
    .slice(from)
    .split('\n')
    .filter((line) => {
      try {
        return pattern.test((JSON.parse(line) as { msg?: string }).msg ?? '');
      } catch {
        return false;
      }
    });
}

/** Resolves once `node` logged a line matching `pattern` after `from` (bounded: 30 s). */
export async function waitForLine(node: ServerNode, pattern: RegExp, from = 0): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (logLines(node, pattern, from).length === 0) {
    if (node.dead) throw new Error(`${node.name} exited before logging ${pattern}`);
    if (Date.now() > deadline) throw new Error(`${node.name} did not log ${pattern} within 30 s`);
    await sleep(50);
  }
}

/** The end of a node's output, for failure reports. */
export function tail(node: ServerNode, lines = 60): string {
  return `--- ${node.name} (${node.url}, ${node.dead ? 'exited' : 'running'}):\n${node
    .output()
    .split('\n')
    .slice(-lines)
    .join('\n')}`;
}
