import { setTimeout as sleep } from 'node:timers/promises';
import { type ServerNode, startNode } from './server-nodes';
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
 * Starts nodes of the server whose CLI is `cli`, recording each in `started` (even when another
 * fails) so the suite stops them all.
 */
export async function startNodes(
  cli: string,
  names: readonly string[],
  env: Record<string, string>,
  started: ServerNode[],
): Promise<ServerNode[]> {
  const results = await Promise.allSettled(names.map((name) => startNode(cli, name, env)));
  for (const result of results) if (result.status === 'fulfilled') started.push(result.value);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<ServerNode>).value);
}

/** A pino line: its level (10 trace … 60 fatal) and message. */
export interface LogRecord {
  level: number;
  msg?: string;
  [key: string]: unknown;
}

/** The pino JSON lines a node printed from offset `from` to `to` of its output, parsed. */
export function logRecords(node: ServerNode, from = 0, to?: number): { line: string; record: LogRecord }[] {
  return node
    .output()
    .slice(from, to)
    .split('\n')
    .flatMap((line) => {
      try {
        const record = JSON.parse(line) as LogRecord;
        return typeof record === 'object' && record !== null ? [{ line, record }] : [];
      } catch {
        return [];
      }
    });
}

/** The log lines (pino JSON) a node printed from `from` on whose message matches `pattern`. */
export function logLines(node: ServerNode, pattern: RegExp, from = 0): string[] {
  return logRecords(node, from)
    .filter(({ record }) => pattern.test(record.msg ?? ''))
    .map(({ line }) => line);
}

/** The lines at level `error` (50) or above a node printed between offsets `from` and `to`. */
export function errorLines(node: ServerNode, from = 0, to?: number): string[] {
  return logRecords(node, from, to)
    .filter(({ record }) => typeof record.level === 'number' && record.level >= 50)
    .map(({ line }) => line);
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
