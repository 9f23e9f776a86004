// The load generator: worker processes (loadgen-worker.mjs) that share the client sockets, so
// receiving is spread over processes and never measured inside the server's process.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { procStat } from './proc.mjs';

const WORKER = fileURLToPath(new URL('./loadgen-worker.mjs', import.meta.url));

/** Default worker count: BENCH_WORKERS, else 2 (this machine has 2 cores; the server needs one). */
export function workerCount() {
  return Number(process.env.BENCH_WORKERS ?? 2);
}

export async function startLoadGen(count = workerCount()) {
  const workers = await Promise.all(
    Array.from({ length: count }, () => {
      const child = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
      const pending = new Map();
      child.on('message', (message) => {
        if (message.ready) return;
        const entry = pending.get(message.id);
        if (!entry) return;
        pending.delete(message.id);
        if (message.error) entry.reject(new Error(`load generator: ${message.error}`));
        else entry.resolve(message.result);
      });
      child.on('exit', () => {
        for (const entry of pending.values()) entry.reject(new Error('load generator exited'));
        pending.clear();
      });
      let nextId = 0;
      const worker = {
        pid: child.pid,
        child,
        call(cmd, payload) {
          const id = ++nextId;
          return new Promise((resolve, reject) => {
            pending.set(id, { resolve, reject });
            child.send({ id, cmd, payload });
          });
        },
      };
      return new Promise((resolve) => child.once('message', () => resolve(worker)));
    }),
  );
  return {
    workers,
    /** Sends `cmd` to every worker; `payload` may be a function of the worker's index. */
    all(cmd, payload) {
      return Promise.all(
        workers.map((w, i) => w.call(cmd, typeof payload === 'function' ? payload(i) : payload)),
      );
    },
    /** Splits `specs` into one contiguous share per worker. */
    split(specs) {
      const per = Math.ceil(specs.length / workers.length);
      return workers.map((_, i) => specs.slice(i * per, (i + 1) * per));
    },
    cpuMs() {
      return workers.reduce((sum, w) => sum + procStat(w.pid).cpuMs, 0);
    },
    async stop() {
      await Promise.allSettled(workers.map((w) => w.call('close').catch(() => {})));
      for (const w of workers) w.child.kill();
    },
  };
}
