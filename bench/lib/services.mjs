// PostgreSQL and Redis for the runs that use them: a fresh schema and a unique Redis prefix per
// run, dropped afterwards. The drivers come with @chat/server (pg, ioredis).
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.resolve('@chat/server'));

export const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether PostgreSQL and Redis answer; `{ ok, reason }`. */
export async function servicesAvailable() {
  const pg = require('pg');
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    return { ok: false, reason: `PostgreSQL at ${DATABASE_URL} unreachable (${error.message})` };
  } finally {
    await client.end().catch(() => {});
  }
  const { Redis } = require('ioredis');
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    return { ok: false, reason: `Redis at ${REDIS_URL} unreachable (${error.message})` };
  } finally {
    redis.disconnect();
  }
  return { ok: true };
}

/**
 * A fresh namespace for one run: `env` for the chat server (schema, Redis prefix, and an
 * application_name that tells this run's PostgreSQL backends apart), plus `cleanup()`.
 */
export function runNamespace(label) {
  const id = `${label.replace(/[^a-z0-9]/g, '_')}_${randomBytes(4).toString('hex')}`;
  const schema = `bench_${id}`;
  const prefix = `bench:${id}:`;
  const applicationName = `bench_${id}`.slice(0, 60);
  const url = new URL(DATABASE_URL);
  url.searchParams.set('application_name', applicationName);
  return {
    schema,
    prefix,
    applicationName,
    env: {
      DATABASE_URL: url.toString(),
      CHAT_DATABASE_SCHEMA: schema,
      REDIS_URL,
      CHAT_REDIS_PREFIX: prefix,
      SIO_KEY: `${prefix}socket.io`,
    },
    /** PIDs of this run's PostgreSQL backends (to read their CPU time from /proc). */
    async backendPids() {
      const pg = require('pg');
      const client = new pg.Client({ connectionString: DATABASE_URL });
      try {
        await client.connect();
        const { rows } = await client.query('select pid from pg_stat_activity where application_name = $1', [
          applicationName,
        ]);
        return rows.map((r) => r.pid);
      } catch {
        return [];
      } finally {
        await client.end().catch(() => {});
      }
    },
    async cleanup() {
      // Kept for a look afterwards (e.g. the webhooks' delivery log): drop it by hand.
      if (process.env.BENCH_KEEP_SCHEMA === '1') {
        process.stderr.write(`kept schemas ${schema} and ${schema}_jobs (BENCH_KEEP_SCHEMA=1)\n`);
        return;
      }
      const pg = require('pg');
      const client = new pg.Client({ connectionString: DATABASE_URL });
      try {
        await client.connect();
        await client.query(`drop schema if exists ${schema} cascade`);
        // The job queue (pg-boss) of a server in the worker role keeps its tables beside the store's.
        await client.query(`drop schema if exists ${schema}_jobs cascade`);
      } catch (error) {
        process.stderr.write(`could not drop schema ${schema}: ${error.message}\n`);
      } finally {
        await client.end().catch(() => {});
      }
      const { Redis } = require('ioredis');
      const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      redis.on('error', () => {});
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length) await redis.del(...keys);
        } while (cursor !== '0');
      } catch (error) {
        process.stderr.write(`could not clean Redis prefix ${prefix}: ${error.message}\n`);
      } finally {
        redis.disconnect();
      }
    },
  };
}

/** The Redis server's own pid (it runs on this machine), to report its CPU time too. */
export async function redisPid() {
  const { Redis } = require('ioredis');
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    const info = await redis.info('server');
    const match = /process_id:(\d+)/.exec(info);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  } finally {
    redis.disconnect();
  }
}
