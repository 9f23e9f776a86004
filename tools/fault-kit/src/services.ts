import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { accessSync, chownSync, constants, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A Redis and a PostgreSQL cluster owned by the fault suite: started on free ports in temp
 * directories, so the suite can kill and restart them without touching the machine's shared
 * services (the other suites and other people rely on 127.0.0.1:5432 and :6379 staying up).
 */

/** Why the suite cannot run here, or null when every tool it needs is installed. */
export function missingTools(): string | null {
  const missing: string[] = [];
  if (!onPath('redis-server')) missing.push('redis-server');
  const bin = pgBinDir();
  for (const tool of ['initdb', 'pg_ctl']) if (!bin || !executable(join(bin, tool))) missing.push(tool);
  if (isRoot() && !onPath('runuser')) missing.push('runuser (PostgreSQL refuses to run as root)');
  if (isRoot() && !postgresUser()) missing.push('a "postgres" user (PostgreSQL refuses to run as root)');
  return missing.length ? `missing ${missing.join(', ')}` : null;
}

function onPath(tool: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && executable(join(dir, tool)));
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

let binDir: string | null | undefined;
/** Where initdb and pg_ctl live: `pg_config --bindir` (Debian keeps them off PATH). */
function pgBinDir(): string | null {
  if (binDir !== undefined) return binDir;
  try {
    binDir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  } catch {
    const initdb = (process.env.PATH ?? '').split(':').find((dir) => executable(join(dir, 'initdb')));
    binDir = initdb ?? null;
  }
  return binDir;
}

const isRoot = () => process.getuid?.() === 0;

function postgresUser(): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `ready` every 100 ms until it answers true, failing after `timeoutMs`. */
async function waitUntil(what: string, ready: () => Promise<boolean> | boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs} ms`);
    await sleep(100);
  }
}

const cleanups = new Set<() => void>();
// A worker that dies mid-suite must not leave a redis-server or a postgres behind; pg_ctl
// daemonizes postgres, so killing the worker's children is not enough.
process.once('exit', () => {
  for (const cleanup of cleanups) cleanup();
});

export interface OwnRedis {
  port: number;
  url: string;
  /** SIGKILL: no shutdown, connections reset. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: nothing is persisted). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';
  const kill = () => child?.kill('SIGKILL');
  cleanups.add(kill);

  const redis: OwnRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      output = '';
      const started = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = started;
      exited = new Promise((resolve) => started.once('exit', () => resolve()));
      started.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      started.stderr!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      await waitUntil(
        `redis-server on port ${port}`,
        () => {
          if (started.exitCode !== null) throw new Error(`redis-server exited:\n${output}`);
          return output.includes('Ready to accept connections');
        },
        10_000,
      );
    },
    async kill() {
      kill();
      await exited;
    },
    async stop() {
      kill();
      await exited;
      cleanups.delete(kill);
    },
  };
  await redis.start();
  return redis;
}

export interface OwnPostgres {
  port: number;
  /** Trust auth as the `postgres` role, database `postgres`. */
  url: string;
  /** `pg_ctl stop -m immediate`: the postmaster and its backends quit without a checkpoint. */
  stopImmediately(): Promise<void>;
  /** Starts it again on the same data directory and port (crash recovery replays the WAL). */
  start(): Promise<void>;
  /** Stops it and deletes its files. */
  destroy(): Promise<void>;
}

/**
 * A fresh cluster (initdb) in a temp directory, listening on 127.0.0.1 on a free port and on a
 * socket in that directory (never in /var/run/postgresql, which belongs to the machine's own).
 */
export async function startPostgres(): Promise<OwnPostgres> {
  const bin = pgBinDir();
  if (!bin) throw new Error('pg_config --bindir found no PostgreSQL binaries');
  const root = mkdtempSync(join(tmpdir(), 'chat-fault-pg-'));
  const data = join(root, 'data');
  const sockets = join(root, 'sockets');
  mkdirSync(sockets);
  const owner = isRoot() ? postgresUser() : null;
  if (isRoot()) {
    if (!owner) throw new Error('running as root, and there is no "postgres" user to run PostgreSQL as');
    for (const dir of [root, sockets]) chownSync(dir, owner.uid, owner.gid);
  }
  // PostgreSQL refuses to run as root: as root, run its tools as the postgres user.
  const run = (tool: string, args: string[]) => {
    const [command, argv] = owner
      ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]]
      : [join(bin, tool), args];
    return new Promise<void>((resolve, reject) => {
      const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.stderr!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`${tool} ${args.join(' ')} failed (${code}):\n${out}`)),
      );
    });
  };
  const pgCtlSync = (args: string[]) => {
    const [command, argv] = owner
      ? ['runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), ...args]]
      : [join(bin, 'pg_ctl'), args];
    try {
      execFileSync(command, argv, { stdio: 'ignore', cwd: root });
    } catch {
      // Not running: nothing to stop.
    }
  };
  const cleanup = () => {
    pgCtlSync(['stop', '-D', data, '-m', 'immediate']);
    rmSync(root, { recursive: true, force: true });
  };
  cleanups.add(cleanup);

  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${sockets}`,
    '-c listen_addresses=127.0.0.1',
    // Two nodes at 20 connections each, plus the test's own pool and room for restarts.
    '-c max_connections=100',
  ].join(' ');
  const postgres: OwnPostgres = {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: () =>
      run('pg_ctl', ['start', '-D', data, '-w', '-t', '30', '-l', join(root, 'log'), '-o', options]),
    stopImmediately: () => run('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']),
    async destroy() {
      cleanups.delete(cleanup);
      await run('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']).catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    await postgres.start();
  } catch (error) {
    cleanup();
    cleanups.delete(cleanup);
    throw error;
  }
  return postgres;
}
