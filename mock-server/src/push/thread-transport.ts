import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ProviderCredentials, PushSend, PushTransport } from './push-transport';
import type { PushOutcome } from './web-push-sender';

/** What the send thread builds its clients from (a guard holds functions, which do not cross). */
export interface SendThreadOptions {
  allowCidrs: readonly string[];
  timeoutMs: number;
  ca?: string;
}

/** The built thread entry, beside the bundle that imports this (tsup.config.ts). */
const SCRIPT = new URL('./push-send-thread.js', import.meta.url);

/** The send thread's script, or null when running from the sources (vitest), where there is none. */
export function sendThreadScript(): URL | null {
  return existsSync(fileURLToPath(SCRIPT)) ? SCRIPT : null;
}

interface Waiting {
  resolve(outcomes: PushOutcome[]): void;
  reject(error: Error): void;
}

/**
 * Sends on a worker thread of its own (send-thread.ts), started on the first batch and again after
 * it dies (the batches it held fail, and their job retries them: nothing recorded as sent was not).
 */
export function threadTransport(script: URL, options: SendThreadOptions): PushTransport {
  let thread: { worker: Worker; waiting: Map<number, Waiting> } | null = null;
  let nextId = 0;
  const start = () => {
    const worker = new Worker(script, { workerData: { ...options, allowCidrs: [...options.allowCidrs] } });
    const waiting = new Map<number, Waiting>();
    const current = { worker, waiting };
    worker.on('message', (answer: { id: number; outcomes?: PushOutcome[]; error?: string }) => {
      const waiter = waiting.get(answer.id);
      waiting.delete(answer.id);
      if (answer.outcomes) waiter?.resolve(answer.outcomes);
      else waiter?.reject(new Error(answer.error ?? 'the push send thread gave no outcomes'));
    });
    const fail = (error: Error) => {
      if (thread === current) thread = null;
      for (const waiter of waiting.values()) waiter.reject(error);
      waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the push send thread exited (${code})`)));
    // An idle thread does not keep the process alive.
    worker.unref();
    return current;
  };
  return {
    send(sends: PushSend[], credentials: ProviderCredentials) {
      thread ??= start();
      const { worker, waiting } = thread;
      const id = nextId++;
      return new Promise<PushOutcome[]>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, sends, credentials });
      });
    },
    async close() {
      const current = thread;
      thread = null;
      await current?.worker.terminate();
    },
  };
}
