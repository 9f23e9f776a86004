import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type JobQueue, startJobQueue, stopJobQueue } from '../src/jobs/job-queue';
import { RETENTION_JOBS, scheduleRetention, workRetention } from '../src/jobs/retention';
import { createLogger } from '../src/kernel/logger';
import type { Store } from '../src/store/database';
import { createTestApp, getTestStore, newTestSchema, testDatabase } from './harness';

/**
 * The job queue (pg-boss) on both backends the server ships with: jobs outlive the process that
 * queued them, a failing job is retried and then dead-lettered, several workers never take one
 * job twice, on PGlite it never runs inside one of the store's transactions, and the retention
 * jobs are scheduled and delete what they should.
 */

let store: Store;
const logger = createLogger({ level: 'silent' });
const open: JobQueue[] = [];

beforeAll(async () => {
  store = await getTestStore();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((boss) => stopJobQueue(boss, 1_000)));
});

/** A queue schema of this test's own (dropped with the run's schemas on PostgreSQL). */
function jobSchema(): string {
  return testDatabase === 'postgres' ? `${newTestSchema()}_jobs` : `jobs_${randomBytes(4).toString('hex')}`;
}

async function queue(schema: string): Promise<JobQueue> {
  const boss = await startJobQueue({ store, schema, logger });
  open.push(boss);
  return boss;
}

/** Resolves with each job's data as a handler on `boss` takes it. */
function collect<T>(count: number) {
  const seen: T[] = [];
  let done!: () => void;
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  return {
    seen,
    all,
    take(data: T) {
      seen.push(data);
      if (seen.length === count) done();
    },
  };
}

const FAST = { pollingIntervalSeconds: 0.5 };

describe('job queue', () => {
  it('keeps a queued job across a restart, and runs it once', async () => {
    const schema = jobSchema();
    const first = await queue(schema);
    await first.createQueue('greet');
    const id = await first.send('greet', { hello: 'world' });
    expect(id).toBeTruthy();
    await stopJobQueue(first, 1_000);
    open.splice(open.indexOf(first), 1);

    const second = await queue(schema);
    const jobs = collect<{ hello: string }>(1);
    await second.work<{ hello: string }>('greet', FAST, async ([job]) => jobs.take(job!.data));
    await jobs.all;
    expect(jobs.seen).toEqual([{ hello: 'world' }]);
    await expect
      .poll(async () => (await second.getJobById('greet', id!))?.state, { timeout: 10_000 })
      .toBe('completed');
  });

  it('retries a failing job, then hands it to its dead-letter queue', async () => {
    const boss = await queue(jobSchema());
    await boss.createQueue('flaky-dead');
    await boss.createQueue('flaky', { retryLimit: 2, retryDelay: 1, deadLetter: 'flaky-dead' });
    let attempts = 0;
    await boss.work('flaky', FAST, async () => {
      attempts += 1;
      throw new Error('receiver down');
    });
    const dead = collect<{ n: number }>(1);
    await boss.work<{ n: number }>('flaky-dead', FAST, async ([job]) => dead.take(job!.data));
    await boss.send('flaky', { n: 7 });
    await dead.all;
    expect(attempts).toBe(3);
    expect(dead.seen).toEqual([{ n: 7 }]);
  });

  it('hands each job to one worker, however many poll the queue', async () => {
    const schema = jobSchema();
    const a = await queue(schema);
    const b = await queue(schema);
    await a.createQueue('work');
    const count = 30;
    const jobs = collect<{ i: number; by: string }>(count);
    await a.work<{ i: number }>('work', { ...FAST, batchSize: 3 }, async (batch) => {
      for (const job of batch) jobs.take({ i: job.data.i, by: 'a' });
    });
    await b.work<{ i: number }>('work', { ...FAST, batchSize: 3 }, async (batch) => {
      for (const job of batch) jobs.take({ i: job.data.i, by: 'b' });
    });
    await a.insert(
      'work',
      Array.from({ length: count }, (_, i) => ({ data: { i } })),
    );
    await jobs.all;
    // A beat for any duplicate to show up.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(jobs.seen.map((job) => job.i).sort((x, y) => x - y)).toEqual(
      Array.from({ length: count }, (_, i) => i),
    );
  });

  it('never runs a statement inside one of the store’s transactions', async () => {
    const boss = await queue(jobSchema());
    await boss.createQueue('outside');
    const app = await createTestApp(store.db);
    // The store's transaction writes, waits while the queue sends a job, then rolls back. Had the
    // job's insert joined the transaction (PGlite is one session), the rollback would take it too.
    let sent: Promise<string | null> | undefined;
    await store.db
      .transaction()
      .execute(async (tx) => {
        await tx.insertInto('app_users').values({ app_id: app.id, external_id: 'rolled-back' }).execute();
        sent = boss.send('outside', { x: 1 });
        await new Promise((resolve) => setTimeout(resolve, 300));
        throw new Error('roll back');
      })
      .catch(() => undefined);
    const id = await sent!;
    expect(id).toBeTruthy();
    expect(await boss.getJobById('outside', id!)).toMatchObject({ state: 'created', data: { x: 1 } });
    const rows = await store.db.selectFrom('app_users').select('id').where('app_id', '=', app.id).execute();
    expect(rows).toEqual([]);
  });
});

describe('retention jobs', () => {
  it('schedules every retention job, idempotently', async () => {
    const boss = await queue(jobSchema());
    await scheduleRetention(boss);
    await scheduleRetention(boss);
    const schedules = await boss.getSchedules();
    expect(schedules.map((s) => [s.name, s.cron]).sort()).toEqual(
      RETENTION_JOBS.map((j) => [j.name, j.cron]).sort(),
    );
    const queues = await boss.getQueues();
    for (const job of RETENTION_JOBS) {
      expect(queues.find((q) => q.name === job.name)).toMatchObject({ policy: 'singleton' });
    }
  });

  it('the refresh-token pass deletes tokens a day past expiry, and keeps the rest', async () => {
    const app = await createTestApp(store.db);
    const user = await store.db
      .insertInto('app_users')
      .values({ app_id: app.id, external_id: 'sessions' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const HOUR = 3600 * 1000;
    const token = (expiresInMs: number, revoked = false) => ({
      app_id: app.id,
      app_user_id: user.id,
      token: randomUUID(),
      family_id: randomUUID(),
      expires_at: new Date(Date.now() + expiresInMs),
      revoked_at: revoked ? new Date() : null,
    });
    await store.db
      .insertInto('refresh_tokens')
      .values([
        token(-48 * HOUR),
        token(-30 * HOUR, true),
        token(-1 * HOUR),
        token(24 * HOUR),
        token(24 * HOUR, true),
      ])
      .execute();
    // A portal customer's sessions are pruned the same way.
    const customer = await store.db
      .insertInto('customer_users')
      .values({ email: `${randomUUID()}@example.com`, password_hash: 'x' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const session = (expiresInMs: number) => ({
      customer_user_id: customer.id,
      token: randomUUID(),
      family_id: randomUUID(),
      expires_at: new Date(Date.now() + expiresInMs),
    });
    await store.db
      .insertInto('customer_refresh_tokens')
      .values([session(-48 * HOUR), session(-1 * HOUR), session(24 * HOUR)])
      .execute();

    const boss = await queue(jobSchema());
    await scheduleRetention(boss);
    await workRetention(
      boss,
      store.db,
      { eventLogMaxAgeMs: 30 * 24 * HOUR, webhookLogMaxAgeMs: 7 * 24 * HOUR },
      logger,
    );
    const id = await boss.send('retention-refresh-tokens', {});
    await expect
      .poll(async () => (await boss.getJobById('retention-refresh-tokens', id!))?.state, { timeout: 15_000 })
      .toBe('completed');

    const left = await store.db
      .selectFrom('refresh_tokens')
      .select(sql<number>`round(extract(epoch from expires_at - now()) / 3600)::int`.as('hours'))
      .where('app_user_id', '=', user.id)
      .orderBy('expires_at')
      .execute();
    // The rotated-but-live token stays: presenting it again is how a stolen copy is caught.
    expect(left.map((row) => row.hours)).toEqual([-1, 24, 24]);
    const sessionsLeft = await store.db
      .selectFrom('customer_refresh_tokens')
      .select(sql<number>`round(extract(epoch from expires_at - now()) / 3600)::int`.as('hours'))
      .where('customer_user_id', '=', customer.id)
      .orderBy('expires_at')
      .execute();
    expect(sessionsLeft.map((row) => row.hours)).toEqual([-1, 24]);
  });
});
