import type { JobWithMetadata } from 'pg-boss';
import type { Logger } from 'pino';
import { type JobQueue, retryNoSoonerThan } from './job-queue';

/**
 * Works one queue with up to `concurrency` jobs in flight, each settled the moment it is done.
 *
 * pg-boss's own `work()` waits its polling interval after every fetch, so a worker settles at
 * most one batch per interval, and a batch is settled only when its slowest job is done. For
 * jobs that mostly wait on someone else (webhook receivers) that is both slow (a handful per
 * second) and unfair (one receiver that hangs holds back a whole batch). The pump instead fetches
 * whenever a slot is free, as many jobs as there are free slots, and looks again at once when a
 * job is settled (10 ms later, gathering the slots freed meanwhile: which may have let the next job of a strict-FIFO key through) or when `wake()`
 * says jobs were queued; otherwise every `idleMs`. It touches its jobs' heartbeats, so a job of
 * a pump that dies is handed out again once its heartbeat lapses.
 */
export type JobResult =
  | { done: true }
  /** Try again later, as the queue's backoff says, but no sooner than `notBefore`. */
  | { done: false; reason: string; notBefore?: Date };

export interface JobPumpOptions<T> {
  queue: string;
  concurrency: number;
  idleMs: number;
  /** How often the heartbeats of the jobs in flight are touched (below the queue's heartbeat). */
  touchEveryMs: number;
  logger: Logger;
  /** Gets the job as stored, its retry settings included (`retryLimit`: fixed when it was queued). */
  handle(job: JobWithMetadata<T>): Promise<JobResult>;
}

export interface JobPump {
  /** Look for jobs now (some were just queued). */
  wake(): void;
  /** Stops fetching and waits for the jobs in flight (up to `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
}

/** How long the pump gathers settled jobs' freed slots before fetching for them. */
const REFETCH_GATHER_MS = 10;

export function startJobPump<T>(boss: JobQueue, options: JobPumpOptions<T>): JobPump {
  const inFlight = new Map<string, JobWithMetadata<T>>();
  let stopped = false;
  let wakeUp: (() => void) | undefined;
  let woken = false;
  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  const rest = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken) return resolve();
      const timer = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const settle = async (job: JobWithMetadata<T>) => {
    // The attempt held when it ends: the queue may have handed the job out again meanwhile.
    const attempt = () => ({ id: job.id, retryCount: inFlight.get(job.id)?.retryCount ?? job.retryCount });
    try {
      const result = await options.handle(job);
      if (result.done) await boss.complete(options.queue, attempt());
      else if (result.notBefore)
        await retryNoSoonerThan(boss, options.queue, attempt(), result.notBefore, result.reason);
      else await boss.fail(options.queue, attempt(), { message: result.reason });
    } catch (error) {
      options.logger.warn({ err: error, queue: options.queue, job: job.id }, 'job failed');
      await boss.fail(options.queue, attempt(), { message: (error as Error).message }).catch(() => undefined);
    } finally {
      inFlight.delete(job.id);
      refetchSoon();
    }
  };
  // Jobs settling one after another free their slots within a few milliseconds: one fetch then
  // takes the next jobs for all of them (a strict-FIFO fetch is the queue's costliest query).
  let refetch: NodeJS.Timeout | undefined;
  const refetchSoon = () => {
    refetch ??= setTimeout(() => {
      refetch = undefined;
      wake();
    }, REFETCH_GATHER_MS);
  };

  const touching = setInterval(() => {
    const attempts = [...inFlight.values()].map((job) => ({ id: job.id, retryCount: job.retryCount }));
    if (attempts.length > 0)
      boss
        .touch(options.queue, attempts)
        .catch((error) => options.logger.warn({ err: error }, 'job touch failed'));
  }, options.touchEveryMs);

  const loop = (async () => {
    while (!stopped) {
      woken = false;
      const free = options.concurrency - inFlight.size;
      if (free <= 0) {
        await rest(options.idleMs);
        continue;
      }
      let jobs: JobWithMetadata<T>[] = [];
      try {
        jobs = await boss.fetch<T>(options.queue, { batchSize: free, includeMetadata: true });
      } catch (error) {
        if (!stopped) options.logger.warn({ err: error, queue: options.queue }, 'job fetch failed');
      }
      for (const job of jobs) {
        // Handed out again while this pump still works it (its heartbeat was late: a saturated
        // process): keep working the one attempt, now under the new attempt's number, rather
        // than deliver it twice.
        const running = inFlight.has(job.id);
        inFlight.set(job.id, job);
        if (!running) void settle(job);
      }
      if (jobs.length < free) await rest(options.idleMs);
    }
  })();

  return {
    wake,
    async stop(timeoutMs = 10_000) {
      stopped = true;
      wakeUp?.();
      await loop;
      const deadline = Date.now() + timeoutMs;
      while (inFlight.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      clearInterval(touching);
      clearTimeout(refetch);
    },
  };
}
