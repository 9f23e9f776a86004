import { fromPglite, type Db as JobDatabase, PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { Store } from '../store/database';

/**
 * The job queue: pg-boss, keeping its jobs in the server's own database (a schema of its own), so
 * the embedded default needs nothing more and several nodes on PostgreSQL share one queue. Jobs
 * survive restarts; pg-boss brings retries with backoff, dead letters, cron schedules and
 * singleton queues, and hands each job to one worker however many run.
 */
export type JobQueue = PgBoss;

export interface JobQueueOptions {
  store: Store;
  /** The schema pg-boss keeps its tables in. */
  schema: string;
  logger: Logger;
}

/** pg-boss's own pool on PostgreSQL: its polling never waits behind the API's queries. */
const POOL_SIZE = 4;
/**
 * How often pg-boss looks for jobs whose worker stopped (its heartbeat lapsed: the process died)
 * and hands them out again; its default is a minute.
 */
const SUPERVISE_SECONDS = 10;

/** Starts the queue (installing or upgrading its schema if needed). Stop it with `stopJobQueue`. */
export async function startJobQueue(options: JobQueueOptions): Promise<JobQueue> {
  const { store, logger, schema } = options;
  const boss = store.pglite
    ? new PgBoss({
        db: pgliteJobDatabase(store),
        backend: 'pglite',
        schema,
        superviseIntervalSeconds: SUPERVISE_SECONDS,
      })
    : new PgBoss({
        connectionString: requireUrl(store.databaseUrl),
        schema,
        superviseIntervalSeconds: SUPERVISE_SECONDS,
        max: POOL_SIZE,
        application_name: 'chat-server jobs',
      });
  boss.on('error', (error) => logger.warn({ err: error }, 'job queue error'));
  await boss.start();
  schemas.set(boss, schema);
  return boss;
}

const schemas = new WeakMap<JobQueue, string>();

/**
 * Fails the job's attempt like a thrown error would (a retry if it has any left), and holds the
 * retry until `notBefore` at the earliest: for a receiver that said when to come back
 * (`Retry-After`). The handler then returns normally; pg-boss's own completion of the attempt
 * finds it no longer active and leaves it be.
 */
export async function retryNoSoonerThan(
  boss: JobQueue,
  queue: string,
  job: { id: string; retryCount: number },
  notBefore: Date,
  reason: string,
): Promise<void> {
  await boss.fail(queue, { id: job.id, retryCount: job.retryCount }, { message: reason });
  const schema = schemas.get(boss);
  if (!schema) throw new Error('retryNoSoonerThan needs a queue started by startJobQueue');
  await boss.getDb().executeSql(
    `UPDATE ${schema}.job SET start_after = greatest(start_after, $3::timestamptz)
        WHERE name = $1 AND id = $2::uuid AND state = 'retry'`,
    [queue, job.id, notBefore.toISOString()],
  );
}

/** Stops taking jobs, lets the running ones finish (up to `timeoutMs`), and closes its pool. */
export async function stopJobQueue(boss: JobQueue, timeoutMs = 10_000): Promise<void> {
  await boss.stop({ graceful: true, timeout: timeoutMs });
}

/**
 * PGlite is one session, shared with the store. Each of pg-boss's statements (some are whole
 * BEGIN … COMMIT blocks) runs while holding the store's one connection, so none lands in the
 * middle of one of the store's transactions, and none of the store's in the middle of pg-boss's.
 */
function pgliteJobDatabase(store: Store): JobDatabase {
  const direct = fromPglite(store.pglite!);
  return {
    executeSql: (text, values) => store.db.connection().execute(() => direct.executeSql(text, values)),
  };
}

function requireUrl(url: string | undefined): string {
  if (!url) throw new Error('the job queue on PostgreSQL needs the store opened with its URL');
  return url;
}
