// Child processes the bench starts (servers under test, load generator workers) and what the
// kernel says about them: CPU time and resident memory from /proc, so only the server process is
// measured, whatever it is written in.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const CLK_TCK = 100; // USER_HZ on Linux
const PAGE = 4096;

/** CPU time (user + system, ms) and RSS (bytes) of a process, from /proc/<pid>/stat. */
export function procStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces; fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const rss = Number(fields[21]) * PAGE;
    return { cpuMs: ((utime + stime) * 1000) / CLK_TCK, rss };
  } catch {
    return { cpuMs: Number.NaN, rss: Number.NaN };
  }
}

/** Peak RSS (VmHWM) of a process, in bytes. */
export function peakRss(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Whole-machine CPU counters (all cores), to tell how busy the host was during a window. */
export function hostCpu() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = values[3] + (values[4] ?? 0);
  const total = values.reduce((a, b) => a + b, 0);
  return { idle, total };
}

/** Busy fraction of the whole machine between two `hostCpu()` readings (0..1). */
export function hostBusy(before, after) {
  const total = after.total - before.total;
  return total > 0 ? 1 - (after.idle - before.idle) / total : 0;
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const TARGETS = {
  bare: './targets/bare-ws.mjs',
  sio: './targets/socketio.mjs',
  chat: './targets/chat.mjs',
  // The chat server with the push scenario's extra commands (push-server.mjs).
  push: './push-server.mjs',
  // The chat server with a statement counter (media scenario), and a bare upload server.
  media: './media-server.mjs',
  'bare-upload': './targets/bare-upload.mjs',
};

/**
 * Starts a target server as a child process and resolves once it listens:
 * `{ pid, port, url, info, stat(), gc(), profile(), request(), stop() }`.
 */
export async function startTarget(kind, { env = {}, name = kind, timeoutMs = 60_000 } = {}) {
  const script = fileURLToPath(new URL(TARGETS[kind], import.meta.url));
  const execArgv = ['--expose-gc'];
  const child = fork(script, [], {
    env: { ...process.env, NODE_ENV: 'bench', ...env },
    execArgv,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const log = [];
  const keep = (line) => {
    log.push(line);
    if (log.length > 200) log.shift();
  };
  let pendingGc = new Map();
  let gcId = 0;
  child.on('message', (message) => {
    // Answers to requests (gc, profile, a target's own commands) carry the request's id.
    if (message?.id !== undefined && pendingGc.has(message.id)) {
      pendingGc.get(message.id)(message);
      pendingGc.delete(message.id);
    }
  });
  const request = (message, timeoutMs) => {
    const id = ++gcId;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pendingGc.delete(id);
        resolve(null);
      }, timeoutMs);
      pendingGc.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      child.send({ ...message, id });
    });
  };
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const info = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in ${timeoutMs} ms`)), timeoutMs);
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let nl = buffer.indexOf('\n');
      while (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.startsWith('BENCH_READY ')) {
          clearTimeout(timer);
          resolve(JSON.parse(line.slice('BENCH_READY '.length)));
        } else if (line.trim()) {
          keep(line);
          if (process.env.BENCH_VERBOSE) process.stderr.write(`[${name}] ${line}\n`);
        }
        nl = buffer.indexOf('\n');
      }
    });
    child.stderr.on('data', (chunk) => {
      for (const line of String(chunk).split('\n')) {
        if (!line.trim()) continue;
        keep(line);
        if (process.env.BENCH_VERBOSE || /Error|error/.test(line))
          process.stderr.write(`[${name}] ${line}\n`);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${log.join('\n')}`));
    });
  });
  return {
    name,
    pid: child.pid,
    port: info.port,
    url: info.url,
    info,
    log,
    exited,
    stat: () => procStat(child.pid),
    peakRss: () => peakRss(child.pid),
    /** Sends the server a command (`{ type, ... }`) and resolves to its answer, or null after `timeoutMs`. */
    request,
    /** Runs a full GC in the server and returns its memory figures. */
    gc(timeoutMs = 10_000) {
      return request({ type: 'gc' }, timeoutMs);
    },
    /** Starts (`start`) or stops and writes to `file` (`stop`) a CPU profile in the server. */
    profile(action, file) {
      return request({ type: 'profile', action, file }, 30_000);
    },
    /** SIGTERM, then SIGKILL after `graceMs`. */
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      pendingGc = new Map();
      return result;
    },
    kill() {
      child.kill('SIGKILL');
      return exited;
    },
  };
}
