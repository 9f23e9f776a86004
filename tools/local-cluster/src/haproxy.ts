import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { type HaproxyConfigInput, haproxyConfig, STATS_PATH } from './haproxy-config';

/**
 * HAProxy (Debian's `haproxy` package) as a child process of the cluster, in the foreground,
 * with its configuration in the cluster's temp directory: no system service is touched.
 */
export interface Haproxy {
  /** `http://host:port` of the front door. */
  url: string;
  child: ChildProcess;
  /** Every server it balances to, as its stats page shows them now. */
  servers(): Promise<Record<string, ServerStats>>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// A process that dies (or a run that is interrupted) must not leave a balancer behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Debian installs it in /usr/sbin, which a non-root user's PATH often lacks. */
const HAPROXY = existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy';

/** Why HAProxy cannot run here, or null. */
export async function missingHaproxy(): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)(HAPROXY, ['-v']);
    return /version 2\.[6-9]|version [3-9]\./.test(stdout)
      ? null
      : `HAProxy 2.6 or later is needed, found: ${stdout.split('\n')[0]}`;
  } catch {
    return 'haproxy is not installed (Debian: apt-get install -y haproxy)';
  }
}

/**
 * Writes the configuration to `dir/haproxy.cfg`, has HAProxy check it, starts it and resolves
 * once every server it balances to is `UP`. `log` receives what HAProxy prints (a server going
 * DOWN or UP).
 */
export async function startHaproxy(
  dir: string,
  input: HaproxyConfigInput,
  log: (line: string) => void,
  timeoutMs = 30_000,
): Promise<Haproxy> {
  const missing = await missingHaproxy();
  if (missing) throw new Error(missing);
  const config = join(dir, 'haproxy.cfg');
  await writeFile(config, haproxyConfig(input));
  await promisify(execFile)(HAPROXY, ['-c', '-q', '-f', config]).catch((error: { stderr?: string }) => {
    throw new Error(`HAProxy refused the generated ${config}:\n${error.stderr ?? error}`);
  });

  // -db: stay in the foreground, as this process's child, and print alerts on stderr.
  const child = spawn(HAPROXY, ['-db', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(signal ?? String(code));
    }),
  );
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const line of chunk.toString().split('\n')) if (line.trim()) log(line);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);

  const url = `http://${input.host.includes(':') ? `[${input.host}]` : input.host}:${input.port}`;
  const haproxy: Haproxy = {
    url,
    child,
    servers: () => servers(url),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGUSR1 would wait for open WebSockets to end; the nodes drain those themselves.
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`haproxy exited (${await exited}) at start:\n${output}`);
    const states = await servers(url).catch(() => null);
    if (states && Object.values(states).every((server) => server.status === 'UP')) return haproxy;
    if (Date.now() > deadline) {
      await haproxy.stop();
      throw new Error(
        `the balancer's servers were not all UP within ${timeoutMs} ms: ${JSON.stringify(states)}\n${output}`,
      );
    }
    await sleep(200);
  }
}

/** One server of a backend, as HAProxy sees it. */
export interface ServerStats {
  /** What its checks say: `UP`, `DOWN`, or on the way (`UP 1/2`, `DOWN 1/2`). */
  status: string;
  /** Connections open through it now (an upgraded WebSocket is one). */
  sessions: number;
}

/** Reads HAProxy's stats (CSV): `backend/server` → its state, for every server of every backend. */
export async function servers(url: string): Promise<Record<string, ServerStats>> {
  const reply = await fetch(`${url}${STATS_PATH};csv`, { signal: AbortSignal.timeout(2_000) });
  if (!reply.ok) throw new Error(`HAProxy stats answered ${reply.status}`);
  const [header, ...rows] = (await reply.text()).trim().split('\n');
  const columns = header!.replace(/^# /, '').split(',');
  const at = (name: string) => columns.indexOf(name);
  const found: Record<string, ServerStats> = {};
  for (const row of rows) {
    const cells = row.split(',');
    const server = cells[at('svname')]!;
    if (server === 'FRONTEND' || server === 'BACKEND') continue;
    found[`${cells[at('pxname')]}/${server}`] = {
      status: cells[at('status')]!,
      sessions: Number(cells[at('scur')]),
    };
  }
  return found;
}
