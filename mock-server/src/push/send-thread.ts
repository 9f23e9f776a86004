import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { createTargetGuard } from '../outbound/target-guard';
import { directTransport, type ProviderCredentials, type PushSend } from './push-transport';
import type { SendThreadOptions } from './thread-transport';

/** How much lower than the process's the send thread's scheduling priority is (nice steps). */
const SEND_THREAD_NICENESS = 10;

/**
 * The push send thread's entry (built to dist/push-send-thread.js): sends each batch it is given
 * with the direct transport — TLS, HTTP/2 framing and Web Push's encryption then cost the worker
 * thread's CPU, not the event loop that answers requests — and answers with the outcomes.
 */
const options = workerData as SendThreadOptions;

// On Linux a thread has its own nice value: this one yields the CPU to the threads answering
// requests and sockets (and the database's) when they are busy, and has it all when they are
// not. Lowering one's own priority needs no privilege; where it is refused, it stays as it is.
try {
  os.setPriority(Math.min(19, os.getPriority() + SEND_THREAD_NICENESS));
} catch {
  // Left at the process's priority.
}
const transport = directTransport({
  guard: createTargetGuard(options.allowCidrs),
  timeoutMs: options.timeoutMs,
  ...(options.ca && { ca: options.ca }),
});

parentPort!.on(
  'message',
  async ({ id, sends, credentials }: { id: number; sends: PushSend[]; credentials: ProviderCredentials }) => {
    try {
      parentPort!.postMessage({ id, outcomes: await transport.send(sends, credentials) });
    } catch (error) {
      parentPort!.postMessage({ id, error: (error as Error).message });
    }
  },
);
