import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Real `chat-server` processes (the built CLI, `dist/cli.js` of `@chat/server`) for the
 * multi-node and fault tests: each is a separate Node process, so the only things they share
 * are PostgreSQL and Redis, as behind a load balancer. The caller names the CLI, so this package
 * needs no dependency on the server (whose own tests use it too).
 */

export interface ServerNode {
  name: string;
  url: string;
  wsUrl: string;
  child: ChildProcess;
  /** Everything the process printed, for failure reports. */
  output(): string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<string>;
  /** True once the process exited, however. */
  dead: boolean;
}

const running = new Set<ChildProcess>();

// A worker that dies (or a run that is interrupted) must not leave servers behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts one node of the server whose CLI is `cli` on a free port, and resolves once it printed
 * where it listens.
 */
export function startNode(
  cli: string,
  name: string,
  env: Record<string, string>,
  timeoutMs = 40_000,
): Promise<ServerNode> {
  if (!existsSync(cli)) {
    throw new Error(`${cli} is missing: build the server first (npx tsup in mock-server)`);
  }
  const child = spawn(process.execPath, [cli, 'start'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const node: ServerNode = {
    name,
    url: '',
    wsUrl: '',
    child,
    output: () => out,
    dead: false,
    exited: new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        running.delete(child);
        node.dead = true;
        resolve(signal ?? String(code));
      }),
    ),
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = () => {
      const match = /listening on (http:\/\/[^\s]+:\d+)/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      node.url = match[1]!;
      node.wsUrl = `${node.url.replace('http', 'ws')}/v1/ws`;
      resolve(node);
    };
    child.stdout!.on('data', onData);
    void node.exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${how}) before listening:\n${out}`));
    });
  });
}

/** Kills a node without a chance to clean up (no drain, no disconnects): a crash. */
export async function crash(node: ServerNode): Promise<void> {
  node.child.kill('SIGKILL');
  await node.exited;
}

/** Stops nodes gracefully (SIGTERM: drain), killing those that do not exit within `graceMs`. */
export async function stopNodes(nodes: readonly ServerNode[], graceMs = 5_000): Promise<void> {
  await Promise.all(
    nodes.map(async (node) => {
      if (node.dead) return;
      node.child.kill('SIGTERM');
      const timer = setTimeout(() => node.child.kill('SIGKILL'), graceMs);
      await node.exited;
      clearTimeout(timer);
    }),
  );
}
